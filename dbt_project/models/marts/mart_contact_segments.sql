{#- The contacts in each built-in segment, as of the latest event time in the data (never
    the wall clock, so re-runs agree). One row per segment and contact:
    - carted_not_purchased: an add to cart in the lookback and no purchase at or after
      the contact's last add to cart; the evidence is that cart (mart_abandoned_carts);
    - category_interest:<category>: at least `category_interest_min_views` view-stage
      events in the lookback on products whose category at the event
      (fact_product_events' product_category) was <category>;
    - discounted_purchase: a purchase line priced more than 0.5 % below the product's
      list price at that moment (the price in force just before the purchase), carrying
      a non-zero item discount (eSputnik), or
      following a promo click on the product by the contact in the 7 days before it;
    - the segments of the seed segment_definitions (segments_defined), kind user_defined.
    qualified_at: when the contact last met the rule. Rebuilt whole, from the facts. -#}
{%- set lookback_days = var('segment_lookback_days') %}
{%- set min_views = var('category_interest_min_views') %}
with

-- read by several parts, each with its own filter: inlined (not_materialized)
events as {{ not_materialized() }} (
    select * from {{ ref('fact_product_events') }}
),

event_types as (
    select * from {{ ref('event_types') }}
),

periods as (
    select
        product_id,
        price,
        currency,
        valid_from,
        valid_to
    from {{ ref('dim_products_history') }}
),

data_until as (
    select
        max(occurred_at) as judged_at,
        {{ dbt.dateadd('day', -lookback_days, 'max(occurred_at)') }} as lookback_from
    from events
),

typed as {{ not_materialized() }} (
    select
        events.*,
        event_types.funnel_stage,
        event_types.cart_effect,
        event_types.api_name
    from events
    inner join event_types on events.event_type_id = event_types.event_type_id
),

-- carted_not_purchased
last_carts as (
    select
        typed.contact_id,
        typed.source_system,
        max(typed.occurred_at) as last_cart_at,
        max_by(typed.cart_id, typed.occurred_at) as cart_id
    from typed
    cross join data_until
    where typed.cart_effect = 'add' and typed.occurred_at >= data_until.lookback_from
    group by typed.contact_id, typed.source_system
),

carted_not_purchased as (
    select
        'carted_not_purchased' as segment_id,
        'carted_not_purchased' as segment_kind,
        last_carts.contact_id,
        last_carts.source_system,
        last_carts.last_cart_at as qualified_at,
        cast(null as bigint) as event_count,
        cast(null as varchar) as category,
        last_carts.cart_id,
        carts.items as cart_items,
        carts.item_count as cart_item_count,
        carts.cart_value,
        carts.currency,
        cast(null as varchar) as product_id,
        cast(null as double) as unit_price,
        cast(null as double) as list_price,
        cast(null as varchar) as discount_reason
    from last_carts
    left join {{ ref('mart_abandoned_carts') }} as carts
        on last_carts.contact_id = carts.contact_id and last_carts.cart_id = carts.cart_id
    where not exists (
        select 1 from typed as purchases
        where
            purchases.cart_effect = 'purchase'
            and purchases.contact_id = last_carts.contact_id
            and purchases.occurred_at >= last_carts.last_cart_at
    )
),

-- category_interest:<category>
category_views as (
    select
        typed.contact_id,
        typed.source_system,
        typed.product_category as category,
        typed.occurred_at
    from typed
    cross join data_until
    where
        typed.funnel_stage = 'view'
        and typed.occurred_at >= data_until.lookback_from
        and typed.product_category is not null
),

category_interest as (
    select
        'category_interest:' || category as segment_id,
        'category_interest' as segment_kind,
        contact_id,
        source_system,
        max(occurred_at) as qualified_at,
        count(*) as event_count,
        category,
        cast(null as varchar) as cart_id,
        cast(null as json) as cart_items,
        cast(null as bigint) as cart_item_count,
        cast(null as double) as cart_value,
        cast(null as varchar) as currency,
        cast(null as varchar) as product_id,
        cast(null as double) as unit_price,
        cast(null as double) as list_price,
        cast(null as varchar) as discount_reason
    from category_views
    group by contact_id, source_system, category
    having count(*) >= {{ min_views }}
),

-- discounted_purchase
purchases as {{ not_materialized() }} (
    select
        typed.contact_id,
        typed.source_system,
        typed.product_id,
        typed.occurred_at,
        typed.unit_price,
        typed.item_discount,
        typed.currency,
        -- the price in force just before the purchase (its own price may start a period)
        periods.price as list_price
    from typed
    left join periods
        on
            typed.product_id = periods.product_id
            and typed.occurred_at > periods.valid_from
            and (periods.valid_to is null or typed.occurred_at <= periods.valid_to)
            and (
                typed.currency is null
                or periods.currency is null
                or typed.currency = periods.currency
            )
    where typed.cart_effect = 'purchase' and typed.product_id is not null
),

discounted as (
    select
        purchases.*,
        case
            when purchases.unit_price < purchases.list_price * 0.995 then 'below_list_price'
            -- a discount sent with the item, unless it is a zero ("0", "0%")
            when coalesce(
                try_cast(replace(purchases.item_discount, '%', '') as double) <> 0,
                purchases.item_discount is not null
            ) then 'item_discount'
            when exists (
                select 1 from typed as promos
                where
                    promos.api_name = 'PROMO_CLICK'
                    and promos.contact_id = purchases.contact_id
                    and promos.product_id = purchases.product_id
                    and promos.occurred_at <= purchases.occurred_at
                    and promos.occurred_at >= {{ dbt.dateadd('day', -7, 'purchases.occurred_at') }}
            ) then 'promo_click'
        end as discount_reason
    from purchases
),

discounted_purchase as (
    select
        'discounted_purchase' as segment_id,
        'discounted_purchase' as segment_kind,
        contact_id,
        source_system,
        max(occurred_at) as qualified_at,
        count(*) as event_count,
        cast(null as varchar) as category,
        cast(null as varchar) as cart_id,
        cast(null as json) as cart_items,
        cast(null as bigint) as cart_item_count,
        cast(null as double) as cart_value,
        max_by(currency, occurred_at) as currency,
        max_by(product_id, occurred_at) as product_id,
        max_by(unit_price, occurred_at) as unit_price,
        max_by(list_price, occurred_at) as list_price,
        max_by(discount_reason, occurred_at) as discount_reason
    from discounted
    where discount_reason is not null
    group by contact_id, source_system
),

-- the segments of the seed segment_definitions
user_defined as (
    select
        segment_id,
        'user_defined' as segment_kind,
        contact_id,
        source_system,
        qualified_at,
        event_count,
        cast(null as varchar) as category,
        cast(null as varchar) as cart_id,
        cast(null as json) as cart_items,
        cast(null as bigint) as cart_item_count,
        cast(null as double) as cart_value,
        cast(null as varchar) as currency,
        product_id,
        cast(null as double) as unit_price,
        cast(null as double) as list_price,
        cast(null as varchar) as discount_reason
    from {{ ref('segments_defined') }}
),

unioned as (
    select * from carted_not_purchased
    union all
    select * from category_interest
    union all
    select * from discounted_purchase
    union all
    select * from user_defined
),

final as (
    select
        unioned.*,
        data_until.judged_at
    from unioned
    cross join data_until
)

select * from final
