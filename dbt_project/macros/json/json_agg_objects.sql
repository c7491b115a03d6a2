{#- Aggregate: a JSON array of objects {column: value, ...} over the rows where
    `condition` holds, ordered by `order_by`. -#}
{% macro json_agg_objects(columns, order_by, condition) -%}
    {{ return(adapter.dispatch('json_agg_objects', 'product_events')(columns, order_by, condition)) }}
{%- endmacro %}

{% macro default__json_agg_objects(columns, order_by, condition) -%}
    to_json(list(struct_pack({{ columns | join(', ') }}) order by {{ order_by }})
        filter (where {{ condition }}))
{%- endmacro %}
