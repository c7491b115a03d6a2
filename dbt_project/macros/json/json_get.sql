{#- The JSON value at a dotted path (null when absent; JSON null stays a JSON null). -#}
{% macro json_get(json_expr, path) -%}
    {{ return(adapter.dispatch('json_get', 'product_events')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_get(json_expr, path) -%}
    json_extract({{ json_expr }}, '$.{{ path }}')
{%- endmacro %}
