{{ config(meta={"dagster": {"ref": {"name": "audit_raw_lines"}}}) }}
{#- Conservation: every line in the landing tables has exactly one row in
    audit_raw_lines, and audit has no line that was not landed. Returns the offending
    (source, file, line) with the number of audit rows found. -#}
with

landed as (
    {%- for source_name in ['usercom', 'esputnik', 'insend'] %}
        select
            '{{ source_name }}' as source_system,
            raw_file,
            raw_line_no
        from {{ source('raw', source_name ~ '_lines') }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

audited as (
    select
        source_system,
        raw_file,
        raw_line_no,
        count(*) as audit_rows
    from {{ ref('audit_raw_lines') }}
    group by all
)

select
    coalesce(landed.source_system, audited.source_system) as source_system,
    coalesce(landed.raw_file, audited.raw_file) as raw_file,
    coalesce(landed.raw_line_no, audited.raw_line_no) as raw_line_no,
    coalesce(audited.audit_rows, 0) as audit_rows,
    landed.raw_file is not null as was_landed
from landed
full outer join audited
    on
        landed.source_system = audited.source_system
        and landed.raw_file = audited.raw_file
        and landed.raw_line_no = audited.raw_line_no
where landed.raw_file is null or coalesce(audited.audit_rows, 0) <> 1
