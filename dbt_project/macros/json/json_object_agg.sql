{#- Aggregate key/value rows into one JSON object. -#}
{% macro json_object_agg(key_expr, value_expr) -%}
    {{ return(adapter.dispatch('json_object_agg', 'product_events')(key_expr, value_expr)) }}
{%- endmacro %}

{% macro default__json_object_agg(key_expr, value_expr) -%}
    json_group_object({{ key_expr }}, {{ value_expr }})
{%- endmacro %}
