{#- The value at a dotted path as text (strings unquoted; null when absent or JSON null). -#}
{% macro json_get_text(json_expr, path) -%}
    {{ return(adapter.dispatch('json_get_text', 'product_events')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_get_text(json_expr, path) -%}
    json_extract_string({{ json_expr }}, '$.{{ path }}')
{%- endmacro %}
