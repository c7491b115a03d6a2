{#- Per contact and cart: what the cart holds after its last change (adds minus removes
    per product), its value, the last change, and the contact's first purchase at or
    after that change. Everything here is the contact's own history, so it is
    incremental per contact (contact_keyed_incremental); the judgement against the
    latest event time in the data is mart_abandoned_carts'. -#}
{{ contact_keyed_incremental() }}
with
{{ touched_contacts() }}

event_types as (
    select * from {{ ref('event_types') }}
),

facts as (
    select
        facts.*,
        event_types.cart_effect
    from {{ ref('fact_product_events') }} as facts
    inner join event_types
        on facts.event_type_id = event_types.event_type_id
    where {{ only_touched_contacts('facts.contact_id') }}
),

cart_events as (
    select * from facts
    where cart_id is not null and cart_effect in ('add', 'remove')
),

lines as (
    select
        contact_id,
        cart_id,
        product_id,
        greatest(sum(case when cart_effect = 'add' then quantity else -quantity end), 0) as quantity,
        max_by(unit_price, occurred_at) filter (where unit_price is not null) as unit_price
    from cart_events
    group by contact_id, cart_id, product_id
),

carts as (
    select
        contact_id,
        cart_id,
        any_value(source_system) as source_system,
        max(currency) as currency,
        max(occurred_at) as last_change_at,
        max(loaded_at) as loaded_at
    from cart_events
    group by contact_id, cart_id
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
    where cart_effect = 'purchase'
),

-- the contact's first purchase at or after each cart's last change
next_purchase as (
    {{ first_event_at_or_after(
        'carts', 'last_change_at', 'purchases', 'occurred_at', ['contact_id'], ['cart_id']) }}
),

final as (
    select
        carts.contact_id,
        carts.cart_id,
        carts.source_system,
        carts.currency,
        coalesce(contents.items, cast('[]' as json)) as items,
        contents.item_count,
        contents.total_quantity,
        contents.cart_value,
        carts.last_change_at,
        next_purchase.next_at as next_purchase_at,
        carts.loaded_at
    from carts
    inner join contents
        on
            carts.contact_id = contents.contact_id
            and carts.cart_id = contents.cart_id
    inner join next_purchase
        on
            carts.contact_id = next_purchase.contact_id
            and carts.cart_id = next_purchase.cart_id
)

select * from final
