{#- Per product: when it was first and last seen (occurred_at) and by which sources.
    Incremental: a run folds the new lines into each touched product's row. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='product_id',
    on_schema_change='fail',
) }}
with

lines as (
    select * from {{ ref('int_product_lines_unnested') }}
    where loaded_at > {{ watermark() }}
),

seen as (
    select
        product_id,
        source_system,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        max(loaded_at) as loaded_at
    from lines
    group by product_id, source_system
    {% if is_incremental() %}
        union all
        select
            earlier.product_id,
            unnest(earlier.source_systems) as source_system,
            earlier.first_seen_at,
            earlier.last_seen_at,
            earlier.loaded_at
        from {{ this }} as earlier
        where earlier.product_id in (select product_id from lines)
    {% endif %}
),

final as (
    select
        product_id,
        list(distinct source_system order by source_system) as source_systems,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        max(loaded_at) as loaded_at
    from seen
    group by product_id
)

select * from final
