{#- One row per landed raw line with its outcome: accepted, duplicate or rejected
    (with the reason). The conservation ledger: nothing is dropped without a row here.
    Append-only incremental, like int_events_deduplicated: an outcome never changes. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'check_scope': 'line'},
) }}
with

lines as (
    select * from {{ ref('int_events_deduplicated') }}
    where loaded_at > {{ watermark() }}
),

final as (
    select
        source_system,
        raw_file,
        raw_line_no,
        outcome,
        case
            when outcome = 'duplicate' then 'duplicate_delivery'
            when outcome = 'rejected' then reason_code
        end as reason_code,
        line_hash,
        loaded_at
    from lines
)

select * from final
