{#- How many elements of a JSON array of objects have the field present but not a number. -#}
{% macro json_array_count_non_numeric(array_expr, field) -%}
    {{ return(adapter.dispatch('json_array_count_non_numeric', 'product_events')(array_expr, field)) }}
{%- endmacro %}

{% macro default__json_array_count_non_numeric(array_expr, field) -%}
    (len(json_extract({{ array_expr }}, '$[*].{{ field }}'))
        - list_count(try_cast(json_extract({{ array_expr }}, '$[*].{{ field }}') as double[])))
{%- endmacro %}
