{#- Accepted events with their stitched contact_id and cart_id (InSend's cart is the
    stitched contact's, per app). Incremental per contact (contact_keyed_incremental):
    a run re-derives every touched contact from all of its lines. -#}
{{ contact_keyed_incremental() }}
with

accepted as (
    select * from {{ ref('int_events_deduplicated') }}
    where outcome = 'accepted'
),

stitched as (
    select * from {{ ref('int_contacts_stitched') }}
),

final as (
    select
        accepted.source_system,
        accepted.raw_file,
        accepted.raw_line_no,
        accepted.line_hash,
        accepted.source_event_type,
        accepted.contact_key,
        stitched.contact_id,
        accepted.app_key,
        accepted.order_id,
        case
            when
                accepted.source_system = 'insend'
                and (accepted.is_cart_snapshot or accepted.event_type_id in (1, 2, 12))
                then stitched.contact_id || ':cart:' || coalesce(accepted.app_key, '')
            -- User.com has no cart: a contact's cart is everything carted since its last
            -- purchase (numbered by the purchases before it); a purchase closes its cart
            when accepted.source_system = 'usercom' and accepted.event_type_id in (1, 2, 12)
                then stitched.contact_id || ':cart:' || cast(coalesce(sum(
                    case when accepted.event_type_id = 2 then 1 else 0 end
                ) over (
                    partition by stitched.contact_id
                    order by
                        accepted.occurred_at, accepted.received_at,
                        accepted.raw_file, accepted.raw_line_no
                    rows between unbounded preceding and 1 preceding
                ), 0) as varchar)
            else accepted.cart_id
        end as cart_id,
        accepted.currency,
        accepted.email_sha256,
        accepted.phone_sha256,
        accepted.guest_key,
        accepted.visitor_key,
        accepted.items,
        accepted.properties,
        accepted.event_type_id,
        accepted.is_product_event,
        accepted.is_cart_snapshot,
        accepted.occurred_at,
        accepted.received_at,
        accepted.loaded_at
    from accepted
    inner join stitched
        on
            accepted.source_system = stitched.source_system
            and accepted.contact_key = stitched.contact_key
    where {{ only_touched_contacts('stitched.contact_id') }}
)

select * from final
