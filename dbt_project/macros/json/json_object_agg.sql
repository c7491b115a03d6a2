{#- Aggregate key/value rows into one JSON object, its keys in key order: the same
    object is always the same text, whatever order the rows come in. -#}
{% macro json_object_agg(key_expr, value_expr) -%}
    {{ return(adapter.dispatch('json_object_agg', 'product_events')(key_expr, value_expr)) }}
{%- endmacro %}

{% macro default__json_object_agg(key_expr, value_expr) -%}
    {#- json_group_object, as DuckDB defines it, with the order added (it is a macro
        and takes no ORDER BY) -#}
    cast('{' || string_agg(
        to_json(cast({{ key_expr }} as varchar)) || ':' || coalesce(to_json({{ value_expr }}), 'null'),
        ',' order by {{ key_expr }}
    ) || '}' as json)
{%- endmacro %}
