{#- The smallest numeric value of a 'json' field over a parsed list of objects. -#}
{% macro json_list_min_number(list_expr, field) -%}
    {{ return(adapter.dispatch('json_list_min_number', 'product_events')(list_expr, field)) }}
{%- endmacro %}

{% macro default__json_list_min_number(list_expr, field) -%}
    list_min(try_cast({{ json_list_field(list_expr, field) }} as double[]))
{%- endmacro %}
