{#- Per UTC day and source: contacts whose journey started that day (first view-stage
    event), how many reached the cart and purchase steps within the funnel window,
    the conversion rates (fractions, null when the denominator is 0) and the median
    hours between steps. -#}
with

journeys as (
    select * from {{ ref('int_funnel_journeys') }}
    where journey_kind = 'daily'
),

counted as (
    select
        funnel_date,
        source_system,
        count(*) as contacts_viewed,
        count(carted_at) as contacts_carted,
        count(purchased_at) as contacts_purchased,
        {{ median_of('hours_view_to_cart') }} as median_hours_view_to_cart,
        {{ median_of('hours_cart_to_purchase') }} as median_hours_cart_to_purchase
    from journeys
    group by funnel_date, source_system
),

final as (
    select
        {{ surrogate_key(['funnel_date', 'source_system']) }} as funnel_day_id,
        funnel_date,
        source_system,
        contacts_viewed,
        contacts_carted,
        contacts_purchased,
        contacts_carted / nullif(contacts_viewed, 0) as view_to_cart_rate,
        contacts_purchased / nullif(contacts_carted, 0) as cart_to_purchase_rate,
        contacts_purchased / nullif(contacts_viewed, 0) as view_to_purchase_rate,
        median_hours_view_to_cart,
        median_hours_cart_to_purchase
    from counted
)

select * from final
