{#- One row per product line of an accepted product event, in the 16 canonical types.
    Cart snapshots appear as their changes (add to cart / remove). Each row carries the
    product as it was at occurred_at (product_name, product_category, list_price,
    list_currency, product_in_stock): the dim_products_history period holding that
    instant, so the latest non-null value of each attribute sent at or before it.

    Incremental per contact (contact_keyed_incremental): a run re-derives the rows of
    every contact with a newly landed line, so a late, older event or a new snapshot in
    the middle of a cart comes out exactly as a full build would; and the rows of every
    contact with an event on a product at or after the earliest new line of that
    product, whose attributes at the event the new line may have changed (a late line:
    usually there are no such rows, new lines come after the old ones). -#}
{{ contact_keyed_incremental() }}
{%- set later_on_their_products -%}
    select earlier.contact_id
    from {{ this }} as earlier
    inner join (
        select
            product_id,
            min(occurred_at) as changed_from
        from {{ ref('int_product_lines_unnested') }}
        where loaded_at > {{ watermark() }}
        group by product_id
    ) as new_lines
        on
            earlier.product_id = new_lines.product_id
            and earlier.occurred_at >= new_lines.changed_from
{%- endset %}
with
{{ touched_contacts(union_with=later_on_their_products) }}

event_types as (
    select * from {{ ref('event_types') }}
),

lines as (
    select * from {{ ref('int_product_lines_unnested') }}
    where
        not is_cart_snapshot
        and {{ only_touched_contacts() }}
),

cart_changes as (
    select * from {{ ref('int_cart_snapshots_diffed') }}
    where {{ only_touched_contacts() }}
),

periods as (
    select * from {{ ref('dim_products_history') }}
),

product_rows as (
    select
        {{ surrogate_key(['source_system', 'line_hash', 'item_index']) }} as event_id,
        source_system,
        source_event_type,
        event_type_id,
        contact_id,
        product_id,
        order_id,
        cart_id,
        currency,
        quantity,
        unit_price,
        item_discount,
        false as is_from_cart_snapshot,
        occurred_at,
        is_client_time_trusted,
        received_at,
        raw_file,
        raw_line_no,
        loaded_at
    from lines
    union all
    select
        {{ surrogate_key(['source_system', 'line_hash', "'cart'", 'product_id']) }} as event_id,
        source_system,
        source_event_type,
        event_type_id,
        contact_id,
        product_id,
        order_id,
        cart_id,
        currency,
        quantity,
        unit_price,
        cast(null as varchar) as item_discount,
        true as is_from_cart_snapshot,
        occurred_at,
        is_client_time_trusted,
        received_at,
        raw_file,
        raw_line_no,
        loaded_at
    from cart_changes
),

final as (
    select
        product_rows.event_id,
        product_rows.source_system,
        product_rows.source_event_type,
        product_rows.event_type_id,
        event_types.event_type,
        product_rows.contact_id,
        product_rows.product_id,
        product_rows.order_id,
        product_rows.cart_id,
        product_rows.currency,
        product_rows.quantity,
        product_rows.unit_price,
        product_rows.item_discount,
        periods.name as product_name,
        periods.category as product_category,
        periods.price as list_price,
        periods.currency as list_currency,
        periods.in_stock as product_in_stock,
        product_rows.is_from_cart_snapshot,
        product_rows.occurred_at,
        product_rows.is_client_time_trusted,
        product_rows.received_at,
        product_rows.raw_file,
        product_rows.raw_line_no,
        product_rows.loaded_at
    from product_rows
    inner join event_types
        on product_rows.event_type_id = event_types.event_type_id
    left join periods
        on
            product_rows.product_id = periods.product_id
            and product_rows.occurred_at >= periods.valid_from
            and (periods.valid_to is null or product_rows.occurred_at < periods.valid_to)
)

select * from final
