{#- The SQL of int_events_identified: accepted events with their stitched contact_id
    and cart_id (InSend's: the contact's per app; User.com's: int_usercom_carts_numbered).
    stitched_condition cuts the stitched contacts and the User.com carts first (a
    condition on contact_id): identified_events() passes the contacts an incremental run
    rebuilds, so the view's joins see those contacts only. -#}
{% macro events_identified(stitched_condition='true') -%}
{%- set line_columns = [
    'source_system', 'raw_file', 'raw_line_no', 'line_hash', 'source_event_type', 'contact_key',
    'app_key', 'order_id', 'cart_id', 'currency', 'email_pseudonym', 'phone_pseudonym', 'guest_key',
    'visitor_key', 'items', 'properties', 'event_type_id', 'is_product_event',
    'is_cart_snapshot', 'occurred_at', 'is_client_time_trusted', 'received_at', 'loaded_at',
] %}
with

event_types as (
    select * from {{ ref('event_types') }}
),

accepted as (
    select
        {% for column in line_columns %}lines.{{ column }}, {% endfor %}
        event_types.cart_effect
    from {{ ref('int_events_deduplicated') }} as lines
    left join event_types
        on lines.event_type_id = event_types.event_type_id
    where lines.outcome = 'accepted'
),

stitched as (
    select * from {{ ref('int_contacts_stitched') }}
    where {{ stitched_condition }}
),

usercom_carts as (
    select * from {{ ref('int_usercom_carts_numbered') }}
    where {{ stitched_condition }}
),

identified as (
    select
        accepted.* exclude (cart_id),
        stitched.contact_id,
        case
            when
                accepted.source_system = 'insend'
                and (accepted.is_cart_snapshot or accepted.cart_effect is not null)
                then stitched.contact_id || ':cart:' || coalesce(accepted.app_key, '')
            when usercom_carts.cart_id is not null then usercom_carts.cart_id
            else accepted.cart_id
        end as cart_id
    from accepted
    inner join stitched
        on
            accepted.source_system = stitched.source_system
            and accepted.contact_key = stitched.contact_key
    left join usercom_carts
        on
            accepted.source_system = usercom_carts.source_system
            and accepted.raw_file = usercom_carts.raw_file
            and accepted.raw_line_no = usercom_carts.raw_line_no
),

final as (
    select
        source_system,
        raw_file,
        raw_line_no,
        line_hash,
        source_event_type,
        contact_key,
        contact_id,
        app_key,
        order_id,
        cart_id,
        currency,
        email_pseudonym,
        phone_pseudonym,
        guest_key,
        visitor_key,
        items,
        properties,
        event_type_id,
        is_product_event,
        is_cart_snapshot,
        occurred_at,
        is_client_time_trusted,
        received_at,
        loaded_at
    from identified
)

select * from final
{%- endmacro %}
