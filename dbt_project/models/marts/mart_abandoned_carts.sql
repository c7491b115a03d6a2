{#- Per contact and cart: what the cart holds after its last change (adds minus
    removes per product), its value, the last change, and whether the contact bought
    anything within `abandon_after_hours` of that change. Judged against the latest
    event time in the data, not the wall clock, so re-runs agree:
    - converted: a purchase by the contact at or after the last change, within the hours;
    - abandoned: items left, no such purchase, and the hours have fully passed;
    - open: items left, no purchase yet, the hours not yet passed;
    - emptied: nothing left in the cart. -#}
{%- set abandon_hours = var('abandon_after_hours') %}
with

facts as (
    select * from {{ ref('fact_product_events') }}
),

data_until as (
    select max(occurred_at) as latest_event_at from facts
),

cart_events as (
    select * from facts
    where cart_id is not null and event_type_id in (1, 12)
),

lines as (
    select
        contact_id,
        cart_id,
        product_id,
        greatest(sum(case when event_type_id = 1 then quantity else -quantity end), 0) as quantity,
        max_by(unit_price, occurred_at) filter (where unit_price is not null) as unit_price
    from cart_events
    group by contact_id, cart_id, product_id
),

carts as (
    select
        cart_events.contact_id,
        cart_events.cart_id,
        any_value(cart_events.source_system) as source_system,
        max(cart_events.currency) as currency,
        max(cart_events.occurred_at) as last_change_at
    from cart_events
    group by cart_events.contact_id, cart_events.cart_id
),

contents as (
    select
        contact_id,
        cart_id,
        count(*) filter (where quantity > 0) as item_count,
        coalesce(sum(quantity), 0) as total_quantity,
        sum(quantity * unit_price) as cart_value,
        {{ json_agg_objects(['product_id', 'quantity', 'unit_price'], 'product_id', 'quantity > 0') }}
            as items
    from lines
    group by contact_id, cart_id
),

purchases as (
    select distinct
        contact_id,
        occurred_at
    from facts
    where event_type_id = 2
),

-- the contact's first purchase at or after each cart's last change
next_purchase as (
    {{ first_event_at_or_after(
        'carts', 'last_change_at', 'purchases', 'occurred_at', ['contact_id'], ['cart_id']) }}
),

judged as (
    select
        carts.*,
        contents.items,
        contents.item_count,
        contents.total_quantity,
        contents.cart_value,
        next_purchase.next_at as next_purchase_at,
        data_until.latest_event_at,
        case
            when contents.item_count = 0 then 'emptied'
            when next_purchase.next_at <= {{ add_hours('carts.last_change_at', abandon_hours) }}
                then 'converted'
            when data_until.latest_event_at >= {{ add_hours('carts.last_change_at', abandon_hours) }}
                then 'abandoned'
            else 'open'
        end as cart_status
    from carts
    inner join contents
        on
            carts.contact_id = contents.contact_id
            and carts.cart_id = contents.cart_id
    inner join next_purchase
        on
            carts.contact_id = next_purchase.contact_id
            and carts.cart_id = next_purchase.cart_id
    cross join data_until
),

final as (
    select
        contact_id,
        cart_id,
        source_system,
        currency,
        coalesce(items, cast('[]' as json)) as items,
        item_count,
        total_quantity,
        cart_value,
        cart_status,
        cart_status = 'abandoned' as is_abandoned,
        last_change_at,
        next_purchase_at,
        latest_event_at as judged_at
    from judged
)

select * from final
