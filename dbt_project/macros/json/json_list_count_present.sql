{#- How many objects of a parsed list (json_parse of [structure]) have a non-null field. -#}
{% macro json_list_count_present(list_expr, field) -%}
    {{ return(adapter.dispatch('json_list_count_present', 'product_events')(list_expr, field)) }}
{%- endmacro %}

{% macro default__json_list_count_present(list_expr, field) -%}
    list_count({{ json_list_field(list_expr, field) }})
{%- endmacro %}
