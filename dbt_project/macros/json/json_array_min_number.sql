{#- The smallest numeric value of a field over a JSON array of objects. -#}
{% macro json_array_min_number(array_expr, field) -%}
    {{ return(adapter.dispatch('json_array_min_number', 'product_events')(array_expr, field)) }}
{%- endmacro %}

{% macro default__json_array_min_number(array_expr, field) -%}
    list_min(try_cast(json_extract({{ array_expr }}, '$[*].{{ field }}') as double[]))
{%- endmacro %}
