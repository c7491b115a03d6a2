{#- A timestamp plus a number of hours. -#}
{% macro add_hours(timestamp_expr, hours) -%}
    {{ return(adapter.dispatch('add_hours', 'product_events')(timestamp_expr, hours)) }}
{%- endmacro %}

{% macro default__add_hours(timestamp_expr, hours) -%}
    ({{ timestamp_expr }} + to_hours(cast({{ hours }} as bigint)))
{%- endmacro %}
