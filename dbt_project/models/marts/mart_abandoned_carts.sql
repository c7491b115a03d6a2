{#- Per contact and cart (carts_summarised), whether the contact bought anything
    within `abandon_after_hours` of the cart's last change. Judged against the latest
    event time in the data, not the wall clock, so re-runs agree:
    - converted: a purchase by the contact at or after the last change, within the hours;
    - abandoned: items left, no such purchase, and the hours have fully passed;
    - open: items left, no purchase yet, the hours not yet passed;
    - emptied: nothing left in the cart. -#}
{%- set abandon_hours = var('abandon_after_hours') %}
{%- set abandon_at = dbt.dateadd('hour', abandon_hours, 'carts.last_change_at') %}
with

carts as (
    select * from {{ ref('carts_summarised') }}
),

data_until as (
    select max(occurred_at) as latest_event_at from {{ ref('fact_product_events') }}
),

judged as (
    select
        carts.*,
        case
            when carts.item_count = 0 then 'emptied'
            when carts.next_purchase_at <= {{ abandon_at }}
                then 'converted'
            when data_until.latest_event_at >= {{ abandon_at }}
                then 'abandoned'
            else 'open'
        end as cart_status,
        data_until.latest_event_at as judged_at
    from carts
    cross join data_until
),

final as (
    select
        contact_id,
        cart_id,
        source_system,
        currency,
        items,
        item_count,
        total_quantity,
        cart_value,
        cart_status,
        cart_status = 'abandoned' as is_abandoned,
        last_change_at,
        next_purchase_at,
        judged_at
    from judged
)

select * from final
