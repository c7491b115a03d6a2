{#- Every landed line of every source, unparsed: where and when it landed, its content
    (the line, trimmed: the same line delivered twice has one content) and a 64-bit hash
    of it. The duplicate search of int_events_deduplicated reads this narrow projection,
    not the parsed staging views (through those, DuckDB would parse every line's JSON
    again), and takes the SHA-256 (landed_line_hash) of the few lines it needs: a hash
    column here would be computed for every line a query reads, before its joins
    filter them. A view: a query pays only for the columns and rows it asks for, and a
    filter on loaded_at reaches the landing tables. -#}
{%- set sources = ['usercom', 'esputnik', 'insend'] %}
{%- for source_system in sources %}
    select
        '{{ source_system }}' as source_system,
        raw_file,
        raw_line_no,
        loaded_at,
        {{ landed_line_content() }} as line_content,
        {{ landed_line_bucket() }} as line_bucket
    from {{ source('raw', source_system ~ '_lines') }}
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
