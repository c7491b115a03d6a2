{#- The contacts (after stitching) an incremental run of a contact-keyed model rebuilds:
    every contact with an accepted line landed after the model's own watermark (the
    latest loaded_at it holds). A guest seen in the new lines also touches every
    visitor it was ever paired with, so a mapping that moved from one visitor to another
    rebuilds both. Rebuilding a superset is harmless: a contact's rows are derived from
    all of its lines each time. Returns one column, contact_id.

    A model whose rows come from some lines only names them (contact_keyed_incremental's
    touched_by): its own latest loaded_at then lags behind lines it has no rows for, and
    without the condition every run would rebuild the contacts of those lines again
    (int_cart_snapshots_diffed: every User.com line, which lands after the snapshots;
    a third of all contacts at 10 M). Registrations (guest_key) always count. -#}
{% macro contacts_touched(watermark_column='loaded_at') -%}
    {%- set lines = ref('int_events_deduplicated') -%}
    {%- set stitched = ref('int_contacts_stitched') -%}
    {%- set since = watermark(watermark_column) %}
    {%- set touched_by = (config.get('meta') or {}).get('touched_by') %}
    {%- set new_line = "outcome = 'accepted' and loaded_at > " ~ since
        ~ (' and (' ~ touched_by ~ ' or guest_key is not null)' if touched_by else '') %}
    select stitched.contact_id
    from (
        select
            source_system,
            contact_key
        from {{ lines }}
        where {{ new_line }}
        union
        select
            source_system,
            guest_key as contact_key
        from {{ lines }}
        where {{ new_line }} and guest_key is not null
    ) as new_keys
    inner join {{ stitched }} as stitched
        on
            new_keys.source_system = stitched.source_system
            and new_keys.contact_key = stitched.contact_key
    union
    select registrations.visitor_key as contact_id
    from {{ lines }} as registrations
    inner join (
        select distinct guest_key
        from {{ lines }}
        where {{ new_line }} and guest_key is not null
    ) as new_guests
        on registrations.guest_key = new_guests.guest_key
    where registrations.outcome = 'accepted' and registrations.visitor_key is not null
{%- endmacro %}
