{#- One row per landed raw line with its outcome: accepted, duplicate or rejected
    (with the reason). The conservation ledger: nothing is dropped without a row here. -#}
with

lines as (
    select * from {{ ref('int_events_deduplicated') }}
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
