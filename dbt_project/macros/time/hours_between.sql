{#- Hours from start to end, fractional. -#}
{% macro hours_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('hours_between', 'product_events')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__hours_between(start_expr, end_expr) -%}
    (epoch({{ end_expr }}) - epoch({{ start_expr }})) / 3600.0
{%- endmacro %}
