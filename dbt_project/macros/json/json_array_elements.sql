{#- Select-list expressions that turn one row into one row per element of a JSON array:
    `<value_alias>` (the element, JSON) and `<index_alias>` (1-based position). -#}
{% macro json_array_elements(array_expr, value_alias, index_alias) -%}
    {{ return(adapter.dispatch('json_array_elements', 'product_events')(array_expr, value_alias, index_alias)) }}
{%- endmacro %}

{% macro default__json_array_elements(array_expr, value_alias, index_alias) -%}
    unnest(json_extract({{ array_expr }}, '$[*]')) as {{ value_alias }},
    generate_subscripts(json_extract({{ array_expr }}, '$[*]'), 1) as {{ index_alias }}
{%- endmacro %}
