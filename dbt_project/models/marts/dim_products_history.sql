{#- One row per product per period in which all of its attributes were constant.
    A period starts when the product is first seen or any attribute changes. -#}
{%- set standard = ['name', 'price', 'currency', 'category', 'url', 'image_url', 'in_stock'] %}
with

changes as (
    select * from {{ ref('int_product_attributes_changed') }}
),

products as (
    select * from {{ ref('int_products_seen') }}
),

boundaries as (
    select
        product_id,
        first_seen_at as valid_from
    from products
    union
    select
        product_id,
        valid_from
    from changes
),

periods as (
    select
        product_id,
        valid_from,
        lead(valid_from) over (partition by product_id order by valid_from) as valid_to
    from boundaries
),

-- each period holds the values whose own validity covers its start
period_values as (
    select
        periods.product_id,
        periods.valid_from,
        changes.attribute_name,
        changes.attribute_value
    from periods
    inner join changes
        on
            periods.product_id = changes.product_id
            and periods.valid_from >= changes.valid_from
            and (changes.valid_to is null or periods.valid_from < changes.valid_to)
),

pivoted as (
    select
        product_id,
        valid_from,
    {%- for attribute in standard %}
        max(attribute_value) filter (where attribute_name = '{{ attribute }}') as {{ attribute }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from period_values
    group by product_id, valid_from
),

custom_attributes as (
    select
        product_id,
        valid_from,
        {{ json_object_agg("substr(attribute_name, 12)", "attribute_value::json") }} as attributes
    from period_values
    where attribute_name like 'attributes.%'
    group by product_id, valid_from
),

final as (
    select
        {{ surrogate_key(['periods.product_id', 'periods.valid_from']) }} as product_period_id,
        periods.product_id,
        pivoted.name,
        cast(pivoted.price as double) as price,
        pivoted.currency,
        pivoted.category,
        pivoted.url,
        pivoted.image_url,
        cast(pivoted.in_stock as boolean) as in_stock,
        coalesce(custom_attributes.attributes, cast('{}' as json)) as attributes,
        periods.valid_to is null as is_current,
        periods.valid_from,
        periods.valid_to
    from periods
    left join pivoted
        on
            periods.product_id = pivoted.product_id
            and periods.valid_from = pivoted.valid_from
    left join custom_attributes
        on
            periods.product_id = custom_attributes.product_id
            and periods.valid_from = custom_attributes.valid_from
)

select * from final
