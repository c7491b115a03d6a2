{#- The element of a list at a 1-based position. -#}
{% macro list_at(list_expr, position) -%}
    {{ return(adapter.dispatch('list_at', 'product_events')(list_expr, position)) }}
{%- endmacro %}

{% macro default__list_at(list_expr, position) -%}
    {{ list_expr }}[{{ position }}]
{%- endmacro %}
