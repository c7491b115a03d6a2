{#- The value of every product attribute at every instant it was sent, from a relation
    of product lines (int_product_lines_unnested's columns): one row per product,
    attribute and occurred_at. Only non-null values count (an attribute not sent keeps
    its value); several values at one instant: the last in event order (received_at,
    raw_file, raw_line_no, line position) is the value then. Custom attributes are
    named `attributes.<key>`; values are text (JSON text for custom ones).
    A pair (product, attribute) that only ever had one value comes as one row for all of
    its instants (occurred_at the first, last_observed_at the last): the same run, found
    without resolving every instant.
    Columns: product_id, attribute_name, attribute_value, occurred_at, last_observed_at,
    loaded_at. -#}
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
    {%- set position = ['occurred_at', 'received_at', 'raw_file', 'raw_line_no', 'item_index', 'loaded_at'] -%}
    with

    {#- per product and standard attribute: lowest and highest value, first and last
        instant sent; one aggregation of the lines, not one row per attribute value #}
    standard_ranges as (
        select
            product_id,
            {%- for name, expression in standard %}
                {%- set value = 'cast(' ~ expression ~ ' as varchar)' %}
                min({{ value }}) as min_value_{{ loop.index }},
                max({{ value }}) as max_value_{{ loop.index }},
                min(occurred_at) filter (where {{ value }} is not null) as first_at_{{ loop.index }},
                max(occurred_at) filter (where {{ value }} is not null) as last_at_{{ loop.index }},
                max(loaded_at) filter (where {{ value }} is not null) as loaded_at_{{ loop.index }}
                {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ lines }}
        group by product_id
    ),

    custom_observations as (
        select
            product_id,
            'attributes.' || attribute_key as attribute_name,
            attribute_json::varchar as attribute_value,
            {{ position | join(', ') }}
        from (
            select
                product_id,
                {{ position | join(', ') }},
                {{ json_object_entries('attributes', 'attribute_key', 'attribute_json') }}
            from {{ lines }}
            where attributes is not null and attributes::varchar <> '{}'
        ) as custom
        where {{ json_type_of('attribute_json') }} <> 'NULL'
    ),

    {#- most attributes never change: a pair with one value is one point spanning all
        its instants, and only the other pairs are resolved instant by instant #}
    pairs as (
        {%- for name, expression in standard %}
            select
                product_id,
                '{{ name }}' as attribute_name,
                min_value_{{ loop.index }} as attribute_value,
                min_value_{{ loop.index }} = max_value_{{ loop.index }} as is_constant,
                first_at_{{ loop.index }} as occurred_at,
                last_at_{{ loop.index }} as last_observed_at,
                loaded_at_{{ loop.index }} as loaded_at
            from standard_ranges
            where first_at_{{ loop.index }} is not null
            union all
        {%- endfor %}
        select
            product_id,
            attribute_name,
            min(attribute_value) as attribute_value,
            min(attribute_value) = max(attribute_value) as is_constant,
            min(occurred_at) as occurred_at,
            max(occurred_at) as last_observed_at,
            max(loaded_at) as loaded_at
        from custom_observations
        group by product_id, attribute_name
    ),

    varying_pairs as (
        select
            product_id,
            attribute_name
        from pairs
        where not is_constant
    ),

    {#- every value sent, for the products with a varying standard attribute only #}
    observations as (
        select
            product_id,
            observation.attribute_name,
            observation.attribute_value,
            {{ position | join(', ') }}
        from (
            select
                product_id,
                {{ position | join(', ') }},
                {{ unpivot_to_struct(standard, 'attribute_name', 'attribute_value') }} as observation
            from {{ lines }}
            where product_id in (
                select product_id from varying_pairs
                where attribute_name not like 'attributes.%'
            )
        ) as unpivoted
        where observation.attribute_value is not null
        union all
        select * from custom_observations
    ),

    varying_instants as (
        select
            observations.product_id,
            observations.attribute_name,
            max_by(
                observations.attribute_value,
                struct_pack(
                    observations.received_at, observations.raw_file,
                    observations.raw_line_no, observations.item_index
                )
            ) as attribute_value,
            observations.occurred_at,
            observations.occurred_at as last_observed_at,
            max(observations.loaded_at) as loaded_at
        from observations
        inner join varying_pairs
            on
                observations.product_id = varying_pairs.product_id
                and observations.attribute_name = varying_pairs.attribute_name
        group by observations.product_id, observations.attribute_name, observations.occurred_at
    )

    select
        product_id,
        attribute_name,
        attribute_value,
        occurred_at,
        last_observed_at,
        loaded_at
    from pairs
    where is_constant
    union all
    select * from varying_instants
{%- endmacro %}
