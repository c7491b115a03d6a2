{#- For every product and attribute, the periods in which the attribute held one value:
    latest by occurred_at (ties: received_at, raw_file, raw_line_no, line position), so
    an older event loaded later never overwrites a newer value. Only non-null values
    count (an attribute not sent keeps its value). Custom attributes are named
    `attributes.<key>`; values are kept as text (JSON text for custom ones). -#}
{%- set standard = [
    ('name', 'name'),
    ('price', 'cast(unit_price as varchar)'),
    ('currency', 'case when unit_price is not null then currency end'),
    ('category', 'category'),
    ('url', 'url'),
    ('image_url', 'image_url'),
    ('in_stock', 'cast(in_stock as varchar)'),
] %}
with

lines as (
    select * from {{ ref('int_product_lines_unnested') }}
),

custom as (
    select
        *,
        {{ json_object_entries('attributes', 'attribute_key', 'attribute_json') }}
    from lines
    where attributes is not null and attributes::varchar <> '{}'
),

observations as (
    {%- for attribute, expression in standard %}
        select
            product_id,
            '{{ attribute }}' as attribute_name,
            {{ expression }} as attribute_value,
            occurred_at,
            received_at,
            raw_file,
            raw_line_no,
            item_index
        from lines
        where {{ expression }} is not null
        union all
    {%- endfor %}
    select
        product_id,
        'attributes.' || attribute_key as attribute_name,
        attribute_json::varchar as attribute_value,
        occurred_at,
        received_at,
        raw_file,
        raw_line_no,
        item_index
    from custom
    where {{ json_type_of('attribute_json') }} <> 'NULL'
),

-- several values at the same instant: the last one (in event order) is the value then
last_per_instant as (
    select
        product_id,
        attribute_name,
        occurred_at,
        max_by(attribute_value, struct_pack(received_at, raw_file, raw_line_no, item_index))
            as attribute_value
    from observations
    group by all
),

with_previous as (
    select
        *,
        lag(attribute_value) over (
            partition by product_id, attribute_name order by occurred_at
        ) as previous_value
    from last_per_instant
),

changes as (
    select * from with_previous
    where previous_value is null or previous_value <> attribute_value
),

final as (
    select
        product_id,
        attribute_name,
        attribute_value,
        occurred_at as valid_from,
        lead(occurred_at) over (
            partition by product_id, attribute_name order by occurred_at
        ) as valid_to
    from changes
)

select * from final
