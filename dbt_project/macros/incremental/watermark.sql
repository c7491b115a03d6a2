{#- The latest `column` already in the model's own table, as a timestamp literal: read
    once when the model runs, so a filter `loaded_at > {{ watermark() }}` is a constant
    that the engine pushes down to the scan (and, through the staging views, to the
    landing tables, which are in landing order: only new row groups are read). A
    scalar subquery in its place is planned as a join and reads everything.
    Outside an incremental run: the start of time, so a model filters on it in every
    run, with no is_incremental() branch around the filter. -#}
{% macro watermark(column='loaded_at') -%}
    {%- set latest = none -%}
    {%- if execute and is_incremental() -%}
        {%- set result = run_query('select max(' ~ column ~ ') from ' ~ this) -%}
        {%- set latest = result.columns[0].values()[0] -%}
    {%- endif -%}
    cast('{{ latest if latest is not none else "1900-01-01 00:00:00" }}' as timestamp)
{%- endmacro %}
