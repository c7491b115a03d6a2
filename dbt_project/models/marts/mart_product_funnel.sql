{#- Per product: contacts who viewed it (journey start: their first view of it), who then
    carted it and bought it within the funnel window (same product at every step), the
    rates, the median hours between steps and the revenue of the converted journeys. -#}
with

journeys as (
    select * from {{ ref('int_funnel_journeys') }}
    where journey_kind = 'product'
),

counted as (
    select
        product_id,
        count(*) as contacts_viewed,
        count(carted_at) as contacts_carted,
        count(purchased_at) as contacts_purchased,
        coalesce(sum(revenue), 0) as revenue,
        {{ median_of('hours_view_to_cart') }} as median_hours_view_to_cart,
        {{ median_of('hours_cart_to_purchase') }} as median_hours_cart_to_purchase
    from journeys
    group by product_id
),

final as (
    select
        product_id,
        contacts_viewed,
        contacts_carted,
        contacts_purchased,
        contacts_carted / nullif(contacts_viewed, 0) as view_to_cart_rate,
        contacts_purchased / nullif(contacts_carted, 0) as cart_to_purchase_rate,
        contacts_purchased / nullif(contacts_viewed, 0) as view_to_purchase_rate,
        revenue,
        median_hours_view_to_cart,
        median_hours_cart_to_purchase
    from counted
)

select * from final
