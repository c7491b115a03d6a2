{#- One row per product_id (shared across sources) with the latest non-null value of
    every attribute (User.com's semantics, seed 001), by event time. -#}
with

current_period as (
    select * from {{ ref('dim_products_history') }}
    where is_current
),

seen as (
    select
        product_id,
        len(source_systems) as source_count,
        first_seen_at,
        last_seen_at
    from {{ ref('int_products_seen') }}
),

final as (
    select
        seen.product_id,
        current_period.name,
        current_period.price,
        current_period.currency,
        current_period.category,
        current_period.url,
        current_period.image_url,
        current_period.in_stock,
        current_period.attributes,
        seen.source_count,
        seen.first_seen_at,
        seen.last_seen_at,
        current_period.valid_from as attributes_updated_at
    from seen
    inner join current_period
        on seen.product_id = current_period.product_id
)

select * from final
