{#- The value of every product attribute at every instant it was sent, from a relation
    of product lines (int_product_lines_unnested's columns): one row per product,
    attribute and occurred_at. Only non-null values count (an attribute not sent keeps
    its value); several values at one instant: the last in event order (received_at,
    raw_file, raw_line_no, line position) is the value then. Custom attributes are
    named `attributes.<key>`; values are text (JSON text for custom ones).
    Columns: product_id, attribute_name, attribute_value, occurred_at, loaded_at. -#}
{% macro product_attribute_values(lines) -%}
    {%- set standard = [
        ('name', 'name'),
        ('price', 'cast(unit_price as varchar)'),
        ('currency', 'case when unit_price is not null then currency end'),
        ('category', 'category'),
        ('url', 'url'),
        ('image_url', 'image_url'),
        ('in_stock', 'cast(in_stock as varchar)'),
    ] -%}
    select
        product_id,
        attribute_name,
        occurred_at,
        max_by(attribute_value, struct_pack(received_at, raw_file, raw_line_no, item_index))
            as attribute_value,
        max(loaded_at) as loaded_at
    from (
        {%- for attribute, expression in standard %}
            select
                product_id,
                '{{ attribute }}' as attribute_name,
                {{ expression }} as attribute_value,
                occurred_at,
                received_at,
                raw_file,
                raw_line_no,
                item_index,
                loaded_at
            from {{ lines }}
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
            item_index,
            loaded_at
        from (
            select
                *,
                {{ json_object_entries('attributes', 'attribute_key', 'attribute_json') }}
            from {{ lines }}
            where attributes is not null and attributes::varchar <> '{}'
        ) as custom
        where {{ json_type_of('attribute_json') }} <> 'NULL'
    ) as observations
    group by product_id, attribute_name, occurred_at
{%- endmacro %}
