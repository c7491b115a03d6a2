{#- The product funnel by category: the product journeys (a contact's first view of a
    product starts one; its cart and purchase count within the window, same product at
    every step, as in mart_product_funnel) grouped by the product's category at the
    journey's first view. The category is the one the product had at that instant (the
    dim_products_history period holding it), not its current one; a journey whose
    product had no category then counts under a null category. A contact counts once
    per category and step, however many of its products it viewed. Rebuilt whole, from
    the journeys and the history. -#}
with

journeys as (
    select * from {{ ref('funnel_journeys') }}
    where journey_kind = 'product'
),

periods as (
    select
        product_id,
        category,
        valid_from,
        valid_to
    from {{ ref('dim_products_history') }}
),

categorised as (
    select
        journeys.*,
        periods.category
    from journeys
    left join periods
        on
            journeys.product_id = periods.product_id
            and journeys.started_at >= periods.valid_from
            and (periods.valid_to is null or journeys.started_at < periods.valid_to)
),

counted as (
    select
        category,
        count(distinct product_id) as products_viewed,
        count(distinct contact_id) as contacts_viewed,
        count(distinct case when carted_at is not null then contact_id end) as contacts_carted,
        count(distinct case when purchased_at is not null then contact_id end)
            as contacts_purchased,
        median(hours_view_to_cart) as median_hours_view_to_cart,
        median(hours_cart_to_purchase) as median_hours_cart_to_purchase,
        coalesce(sum(revenue), 0) as revenue
    from categorised
    group by category
),

final as (
    select
        category,
        products_viewed,
        contacts_viewed,
        contacts_carted,
        contacts_purchased,
        contacts_carted / nullif(contacts_viewed, 0) as view_to_cart_rate,
        contacts_purchased / nullif(contacts_carted, 0) as cart_to_purchase_rate,
        contacts_purchased / nullif(contacts_viewed, 0) as view_to_purchase_rate,
        median_hours_view_to_cart,
        median_hours_cart_to_purchase,
        revenue
    from counted
)

select * from final
