{#- Aggregate: the list of `expression` over the rows of the group where `condition`
    holds (null when there are none). -#}
{% macro collect_where(expression, condition) -%}
    {{ return(adapter.dispatch('collect_where', 'product_events')(expression, condition)) }}
{%- endmacro %}

{% macro default__collect_where(expression, condition) -%}
    list({{ expression }}) filter (where {{ condition }})
{%- endmacro %}
