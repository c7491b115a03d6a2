{#- `function` (min, max, sum) of `value` over the elements `element` of a list for
    which `condition` holds; null when none does (or the list is null). `condition`
    and `value` are expressions in `element` (and in the row's columns). -#}
{% macro list_aggregate_where(function, list_expr, element, condition, value=none) -%}
    {{ return(adapter.dispatch('list_aggregate_where', 'product_events')(
        function, list_expr, element, condition, value if value is not none else element)) }}
{%- endmacro %}

{% macro default__list_aggregate_where(function, list_expr, element, condition, value) -%}
    {%- set kept = 'list_filter(' ~ list_expr ~ ', lambda ' ~ element ~ ': ' ~ condition ~ ')' -%}
    {%- if value != element -%}
        {%- set kept = 'list_transform(' ~ kept ~ ', lambda ' ~ element ~ ': ' ~ value ~ ')' -%}
    {%- endif -%}
    list_{{ function }}({{ kept }})
{%- endmacro %}
