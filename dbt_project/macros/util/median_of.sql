{#- Aggregate: the median of a numeric expression. -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'product_events')(expression)) }}
{%- endmacro %}

{% macro default__median_of(expression) -%}
    median({{ expression }})
{%- endmacro %}
