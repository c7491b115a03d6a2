{#- contact_key (as sent) -> contact_id (after stitching). An InSend guest seen with a
    visitor_uid registered: all of the guest's events, before and after, belong to
    that visitor (the first one, in event order, if a guest ever shows two). -#}
with

accepted as (
    select * from {{ ref('int_events_deduplicated') }}
    where outcome = 'accepted'
),

registrations as (
    select
        guest_key,
        visitor_key,
        row_number() over (
            partition by guest_key
            order by occurred_at, received_at, raw_file, raw_line_no
        ) as registration_no
    from accepted
    where guest_key is not null and visitor_key is not null
),

guest_to_visitor as (
    select
        guest_key,
        visitor_key
    from registrations
    where registration_no = 1
),

contact_keys as (
    select distinct
        source_system,
        contact_key
    from accepted
),

final as (
    select
        contact_keys.source_system,
        contact_keys.contact_key,
        coalesce(guest_to_visitor.visitor_key, contact_keys.contact_key) as contact_id,
        guest_to_visitor.visitor_key is not null as is_stitched
    from contact_keys
    left join guest_to_visitor
        on contact_keys.contact_key = guest_to_visitor.guest_key
)

select * from final
