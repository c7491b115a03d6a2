{#- One row per contact (after InSend guest -> visitor stitching) with every identifier
    seen for it merged in. Emails and phones only as keyed pseudonyms (HMAC-SHA-256).
    Incremental per contact (contact_keyed_incremental). -#}
{{ contact_keyed_incremental() }}
with
{{ touched_contacts() }}

events as (
    select identified.*
    from {{ identified_events('identified') }}
),

stitched as (
    select * from {{ ref('int_contacts_stitched') }}
),

keys as (
    select
        contact_id,
        list(contact_key order by contact_key) as contact_keys,
        bool_or(is_stitched) as has_stitched_guest
    from stitched
    group by contact_id
),

activity as (
    select
        contact_id,
        source_system,
        max_by(email_pseudonym, occurred_at) filter (where email_pseudonym is not null) as email_pseudonym,
        max_by(phone_pseudonym, occurred_at) filter (where phone_pseudonym is not null) as phone_pseudonym,
        count(*) as event_count,
        count(*) filter (where is_product_event) as product_event_count,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        max(loaded_at) as loaded_at
    from events
    group by contact_id, source_system
),

final as (
    select
        activity.contact_id,
        activity.source_system,
        split_part(activity.contact_id, ':', 2) as contact_type,
        keys.contact_keys,
        activity.email_pseudonym,
        activity.phone_pseudonym,
        activity.event_count,
        activity.product_event_count,
        keys.has_stitched_guest,
        activity.first_seen_at,
        activity.last_seen_at,
        activity.loaded_at
    from activity
    inner join keys
        on activity.contact_id = keys.contact_id
)

select * from final
