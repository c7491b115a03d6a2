{#- How many elements of a JSON array of objects have a non-null field. -#}
{% macro json_array_count_present(array_expr, field) -%}
    {{ return(adapter.dispatch('json_array_count_present', 'product_events')(array_expr, field)) }}
{%- endmacro %}

{% macro default__json_array_count_present(array_expr, field) -%}
    list_count(json_extract_string({{ array_expr }}, '$[*].{{ field }}'))
{%- endmacro %}
