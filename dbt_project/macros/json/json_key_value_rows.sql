{#- Select-list expression: one row per key of a JSON object (column attribute_key). -#}
{% macro json_key_value_rows(json_expr) -%}
    {{ return(adapter.dispatch('json_key_value_rows', 'product_events')(json_expr)) }}
{%- endmacro %}

{% macro default__json_key_value_rows(json_expr) -%}
    unnest(json_keys({{ json_expr }})) as attribute_key
{%- endmacro %}
