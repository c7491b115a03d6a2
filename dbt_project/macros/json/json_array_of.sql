{#- A one-element JSON array holding the value. -#}
{% macro json_array_of(json_expr) -%}
    {{ return(adapter.dispatch('json_array_of', 'product_events')(json_expr)) }}
{%- endmacro %}

{% macro default__json_array_of(json_expr) -%}
    json_array({{ json_expr }})
{%- endmacro %}
