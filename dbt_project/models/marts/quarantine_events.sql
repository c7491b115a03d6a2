{#- The rejected lines, whole, with the reason code and a readable detail. Raw lines
    may hold contact data in clear text: this table is for operators, not analysts.
    Append-only incremental, like int_events_deduplicated: an outcome never changes. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'check_scope': 'line'},
) }}
with

rejected as (
    select * from {{ ref('int_events_deduplicated') }}
    where outcome = 'rejected' and loaded_at > {{ watermark() }}
),

final as (
    select
        source_system,
        raw_file,
        raw_line_no,
        reason_code,
        reason_detail,
        source_event_type,
        raw_line,
        loaded_at
    from rejected
)

select * from final
