{#- Written between a CTE's name and its body (`name as {{ not_materialized() }} (...)`):
    a CTE that several parts of the query read, inlined into each reader instead of
    computed once and kept. DuckDB keeps such a CTE whole (every row and column any
    reader needs) before the readers start; over the facts that copy outgrew the
    memory limit at 10 M events and spilled, while each reader alone scans the table
    with its own filter and columns. An engine that always inlines CTEs needs nothing. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'product_events')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}
