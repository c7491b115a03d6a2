{{ config(meta={"dagster": {"ref": {"name": "audit_raw_lines"}}}) }}
{#- Conservation: every line in the landing tables has exactly one row in
    audit_raw_lines, and audit has no line that was not landed.

    Compared file by file, on aggregates rather than line by line (a join of every
    landed line with every audit row cost more than the rest of an incremental run): a
    file's landed lines are numbered first..last, each once (checked here too); if its
    audit rows are as many, as many distinct, and span the same first and last number,
    they are exactly those lines, each once. Returns the offending files with both
    sides' figures.

    In an incremental build, the files landed since audit_raw_lines was last checked
    (every line of a file shares its loaded_at; macros/checks/checked_through.sql). -#}
{%- set figures = ['line_rows', 'distinct_lines', 'first_line_no', 'last_line_no'] %}
{%- set since = checked_through('audit_raw_lines') %}
{%- set new_files = 'where loaded_at > ' ~ since if since is not none else '' %}
with

landed_lines as (
    {%- for source_name in ['usercom', 'esputnik', 'insend'] %}
        select
            '{{ source_name }}' as source_system,
            raw_file,
            raw_line_no
        from {{ source('raw', source_name ~ '_lines') }}
        {{ new_files }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

audited_lines as (
    select
        source_system,
        raw_file,
        raw_line_no
    from {{ ref('audit_raw_lines') }}
    {{ new_files }}
),

{%- for side in ['landed', 'audited'] %}

    {{ side }} as (
        select
            source_system,
            raw_file,
            count(*) as line_rows,
            count(distinct raw_line_no) as distinct_lines,
            min(raw_line_no) as first_line_no,
            max(raw_line_no) as last_line_no
        from {{ side }}_lines
        group by source_system, raw_file
    ),
{%- endfor %}

final as (
    select
        coalesce(landed.source_system, audited.source_system) as source_system,
        coalesce(landed.raw_file, audited.raw_file) as raw_file,
        {%- for figure in figures %}
            landed.{{ figure }} as landed_{{ figure }},
            audited.{{ figure }} as audited_{{ figure }},
        {%- endfor %}
        landed.raw_file is not null as was_landed
    from landed
    full outer join audited
        on
            landed.source_system = audited.source_system
            and landed.raw_file = audited.raw_file
    where
        landed.raw_file is null
        or audited.raw_file is null
        -- landed lines not numbered first..last, each once: a landing defect
        or landed.line_rows <> landed.distinct_lines
        or landed.last_line_no - landed.first_line_no + 1 <> landed.line_rows
        {%- for figure in figures %}
            or landed.{{ figure }} <> audited.{{ figure }}
        {%- endfor %}
)

select * from final
