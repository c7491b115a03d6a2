{#- The text of a JSON object's value at a key given as an expression (a column), not a
    constant path: null when absent. -#}
{% macro json_text_at_key(json_expr, key_expr) -%}
    {{ return(adapter.dispatch('json_text_at_key', 'product_events')(json_expr, key_expr)) }}
{%- endmacro %}

{% macro default__json_text_at_key(json_expr, key_expr) -%}
    json_extract_string({{ json_expr }}, '$."' || {{ key_expr }} || '"')
{%- endmacro %}
