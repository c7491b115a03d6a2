{{ config(meta={"dagster": {"ref": {"name": "audit_raw_lines"}}}) }}
-- depends_on: {{ ref('audit_raw_lines') }}
{# A check of audit_raw_lines' asset: without a dbt dependency on it, dbt selects the
   test only indirectly and dagster-dbt logs it as an observation, with a warning. #}
{#- Every file the manifest calls landed has exactly its recorded number of lines in
    its landing table. -#}
with

landed_lines as (
    {%- for source_name in ['usercom', 'esputnik', 'insend'] %}
        select
            '{{ source_name }}' as source_system,
            raw_file,
            count(*) as lines_in_table
        from {{ source('raw', source_name ~ '_lines') }}
        group by raw_file
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

manifest as (
    select * from {{ source('raw', 'landed_files') }}
    where status = 'landed'
)

select
    manifest.source_system,
    manifest.raw_file,
    manifest.line_count,
    coalesce(landed_lines.lines_in_table, 0) as lines_in_table
from manifest
left join landed_lines
    on
        manifest.source_system = landed_lines.source_system
        and manifest.raw_file = landed_lines.raw_file
where manifest.line_count <> coalesce(landed_lines.lines_in_table, 0)
