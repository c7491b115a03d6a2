{#- The SQL of int_events_identified: accepted events with their stitched contact_id
    and cart_id. stitched_condition cuts the stitched contacts first (a condition on
    int_contacts_stitched): identified_events() passes the contacts an incremental run
    rebuilds, so both of the view's joins and its window see those contacts only. -#}
{% macro events_identified(stitched_condition='true') -%}
{%- set line_columns = [
    'source_system', 'raw_file', 'raw_line_no', 'line_hash', 'source_event_type', 'contact_key',
    'app_key', 'order_id', 'cart_id', 'currency', 'email_pseudonym', 'phone_pseudonym', 'guest_key',
    'visitor_key', 'items', 'properties', 'event_type_id', 'is_product_event',
    'is_cart_snapshot', 'occurred_at', 'is_client_time_trusted', 'received_at', 'loaded_at',
] %}
{%- set accepted_lines -%}
    select
        {% for column in line_columns %}lines.{{ column }}, {% endfor %}
        event_types.cart_effect
    from {{ ref('int_events_deduplicated') }} as lines
    left join event_types
        on lines.event_type_id = event_types.event_type_id
    where lines.outcome = 'accepted'
{%- endset %}
with

event_types as (
    select * from {{ ref('event_types') }}
),

-- User.com's cart lines (a type with a cart effect) need the contact's purchases
-- before them (a window); the other lines do not, so only those few go through it
other_lines as (
    {{ accepted_lines }}
        and not (lines.source_system = 'usercom' and event_types.cart_effect is not null)
),

usercom_cart_lines as (
    {{ accepted_lines }}
        and lines.source_system = 'usercom' and event_types.cart_effect is not null
),

stitched as (
    select * from {{ ref('int_contacts_stitched') }}
    where {{ stitched_condition }}
),

other_identified as (
    select
        other_lines.* exclude (cart_id),
        stitched.contact_id,
        case
            when
                other_lines.source_system = 'insend'
                and (other_lines.is_cart_snapshot or other_lines.cart_effect is not null)
                then stitched.contact_id || ':cart:' || coalesce(other_lines.app_key, '')
            else other_lines.cart_id
        end as cart_id
    from other_lines
    inner join stitched
        on
            other_lines.source_system = stitched.source_system
            and other_lines.contact_key = stitched.contact_key
),

-- User.com has no cart: a contact's cart is everything carted since its last purchase
-- (numbered by the purchases before it); a purchase closes its cart
usercom_cart_identified as (
    select
        usercom_cart_lines.* exclude (cart_id),
        stitched.contact_id,
        stitched.contact_id || ':cart:' || cast(coalesce(sum(
            case when usercom_cart_lines.cart_effect = 'purchase' then 1 else 0 end
        ) over (
            partition by stitched.contact_id
            order by
                usercom_cart_lines.occurred_at, usercom_cart_lines.received_at,
                usercom_cart_lines.raw_file, usercom_cart_lines.raw_line_no
            rows between unbounded preceding and 1 preceding
        ), 0) as varchar) as cart_id
    from usercom_cart_lines
    inner join stitched
        on
            usercom_cart_lines.source_system = stitched.source_system
            and usercom_cart_lines.contact_key = stitched.contact_key
),

identified as (
    select * from other_identified
    union all
    select * from usercom_cart_identified
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
