{#- DuckDB's hints on a CTE, written between its name and its body
    (`name as {{ not_materialized() }} (...)`). An engine without them (one that always
    inlines its CTEs) renders nothing: a `spark__` version of each returns ''.

    not_materialized(): a CTE that several parts of the query read, inlined into each
    reader instead of computed once and kept. DuckDB keeps such a CTE whole (every row
    and column any reader needs) before the readers start; over the facts that copy
    outgrew the memory limit at 10 M events and spilled, while each reader alone scans
    the table with its own filter and columns.

    materialized(): the CTE computed once, before the query that reads it, and kept. For
    the small sets a query filters its large inputs by (the contacts an incremental run
    rebuilds): DuckDB then knows the set's true size and builds its join on the set.
    Inline, it estimated the set from the tables behind it, larger than the input, and
    built the join on the input instead (fact_product_events on a 10 M day: 7.1 s of
    the query's 7-9 s in that join, spilling; kept, 0.9 s for the whole query). -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'product_events')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}


{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized', 'product_events')()) }}
{%- endmacro %}

{% macro default__materialized() -%}
    materialized
{%- endmacro %}
