{#- Written between a CTE's name and its body (`name as {{ materialized() }} (...)`):
    the CTE computed once, before the query that reads it, and kept. Used for the
    small sets a query filters its large inputs by (the contacts an incremental run
    rebuilds): DuckDB then knows the set's true size and builds its join on the set.
    Inline, it estimated the set from the tables behind it, larger than the input, and
    built the join on the input instead (fact_product_events on a 10 M day: 7.1 s of
    the query's 7-9 s in that join, spilling; kept, 0.9 s for the whole query). An
    engine without the keyword needs nothing here. -#}
{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized', 'product_events')()) }}
{%- endmacro %}

{% macro default__materialized() -%}
    materialized
{%- endmacro %}
