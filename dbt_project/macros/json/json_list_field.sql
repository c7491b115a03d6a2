{#- One field of every object of a parsed list (json_parse of [structure]), as a list
    (null for an object without it). -#}
{% macro json_list_field(list_expr, field) -%}
    {{ return(adapter.dispatch('json_list_field', 'product_events')(list_expr, field)) }}
{%- endmacro %}

{% macro default__json_list_field(list_expr, field) -%}
    list_transform({{ list_expr }}, lambda item: item."{{ field }}")
{%- endmacro %}
