{#- Every landed line of every source, unparsed: where and when it landed, and what its
    content hashes to (trimmed: the same line delivered twice has one hash). The
    duplicate search of int_events_deduplicated reads this narrow projection, not the
    parsed staging views (through those, DuckDB would parse every line's JSON again). A
    view: a query pays only for the columns and rows it asks for, and a filter on
    loaded_at reaches the landing tables. -#}
{%- set sources = ['usercom', 'esputnik', 'insend'] %}
{%- for source_system in sources %}
    select
        '{{ source_system }}' as source_system,
        raw_file,
        raw_line_no,
        loaded_at,
        {{ landed_line_bucket() }} as line_bucket,
        {{ landed_line_hash() }} as line_hash
    from {{ source('raw', source_system ~ '_lines') }}
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
