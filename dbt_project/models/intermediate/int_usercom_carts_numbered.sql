{#- User.com sends no cart ID: a contact's cart is everything carted since its last
    purchase, numbered by the purchases before it (`<contact_id>:cart:<n>`), and a
    purchase closes its cart. One row per accepted User.com line whose type has a cart
    effect (the seed event_types: add, remove, purchase), in event order per stitched
    contact. int_events_identified takes the cart_id from here.
    Incremental per contact (contact_keyed_incremental): its rows come from User.com's
    product lines only, so only they (and registrations) touch a contact. (The cart
    types themselves cannot be named there: the condition is fixed when dbt parses, and
    a seed's name is not known then.) -#}
{{ contact_keyed_incremental(touched_by="source_system = 'usercom' and is_product_event") }}
with
{{ touched_contacts() }}

event_types as (
    select * from {{ ref('event_types') }}
),

cart_lines as (
    select
        lines.source_system,
        lines.raw_file,
        lines.raw_line_no,
        lines.contact_key,
        lines.occurred_at,
        lines.received_at,
        lines.loaded_at,
        event_types.cart_effect
    from {{ ref('int_events_deduplicated') }} as lines
    inner join event_types
        on lines.event_type_id = event_types.event_type_id
    where
        lines.outcome = 'accepted'
        and lines.source_system = 'usercom'
        and event_types.cart_effect is not null
),

stitched as (
    select * from {{ ref('int_contacts_stitched') }}
    where {{ only_touched_contacts() }}
),

numbered as (
    select
        cart_lines.source_system,
        cart_lines.raw_file,
        cart_lines.raw_line_no,
        stitched.contact_id,
        stitched.contact_id || ':cart:' || cast(coalesce(sum(
            case when cart_lines.cart_effect = 'purchase' then 1 else 0 end
        ) over (
            partition by stitched.contact_id
            order by
                cart_lines.occurred_at, cart_lines.received_at,
                cart_lines.raw_file, cart_lines.raw_line_no
            rows between unbounded preceding and 1 preceding
        ), 0) as varchar) as cart_id,
        cart_lines.loaded_at
    from cart_lines
    inner join stitched
        on
            cart_lines.source_system = stitched.source_system
            and cart_lines.contact_key = stitched.contact_key
)

select * from numbered
