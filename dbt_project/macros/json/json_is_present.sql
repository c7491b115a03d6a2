{#- True when a JSON value is there and is not JSON null. -#}
{% macro json_is_present(json_expr) -%}
    {{ return(adapter.dispatch('json_is_present', 'product_events')(json_expr)) }}
{%- endmacro %}

{% macro default__json_is_present(json_expr) -%}
    ({{ json_expr }} is not null and json_type({{ json_expr }}) <> 'NULL')
{%- endmacro %}
