{#- One row per accepted non-product event (page views, searches, custom events, ...).
    Incremental per contact (contact_keyed_incremental). -#}
{{ contact_keyed_incremental() }}
with
{{ touched_contacts() }}

events as (
    select identified.*
    from {{ identified_events('identified') }}
    where not identified.is_product_event
),

final as (
    select
        {{ surrogate_key(['source_system', 'line_hash']) }} as event_id,
        source_system,
        source_event_type,
        contact_id,
        app_key,
        properties,
        occurred_at,
        is_client_time_trusted,
        received_at,
        raw_file,
        raw_line_no,
        loaded_at
    from events
)

select * from final
