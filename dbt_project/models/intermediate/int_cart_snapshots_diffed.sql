{#- Cart snapshots (eSputnik cartUpdated, InSend update_cart) turned into changes: each
    snapshot is compared with the previous snapshot of the same cart (same contact), in
    event order; a product whose quantity went up is an `add to cart` (1) of the
    difference, down or gone a `remove` (12). The first snapshot adds all its lines; an
    empty snapshot removes everything. Linear: hash joins on (cart, snapshot_no).
    Incremental per contact (contact_keyed_incremental). -#}
{{ contact_keyed_incremental(touched_by='is_cart_snapshot') }}
with
{{ touched_contacts() }}

snapshots as (
    select
        identified.*,
        row_number() over (
            partition by identified.contact_id, identified.cart_id
            order by
                identified.occurred_at, identified.received_at,
                identified.raw_file, identified.raw_line_no
        ) as snapshot_no
    from {{ identified_events('identified') }}
    where identified.is_cart_snapshot
),

snapshot_lines as (
    select * from {{ ref('int_product_lines_unnested') }}
    where
        is_cart_snapshot
        and {{ only_touched_contacts() }}
),

-- one row per product per snapshot (a product listed twice counts once, summed)
contents as (
    select
        snapshots.contact_id,
        snapshots.cart_id,
        snapshots.snapshot_no,
        snapshot_lines.product_id,
        sum(snapshot_lines.quantity) as quantity,
        max(snapshot_lines.unit_price) as unit_price
    from snapshot_lines
    inner join snapshots
        on
            snapshot_lines.source_system = snapshots.source_system
            and snapshot_lines.raw_file = snapshots.raw_file
            and snapshot_lines.raw_line_no = snapshots.raw_line_no
    group by all
),

previous_contents as (
    select
        contact_id,
        cart_id,
        snapshot_no + 1 as snapshot_no,
        product_id,
        quantity as previous_quantity,
        unit_price as previous_unit_price
    from contents
),

changes as (
    select
        coalesce(contents.contact_id, previous_contents.contact_id) as contact_id,
        coalesce(contents.cart_id, previous_contents.cart_id) as cart_id,
        coalesce(contents.snapshot_no, previous_contents.snapshot_no) as snapshot_no,
        coalesce(contents.product_id, previous_contents.product_id) as product_id,
        coalesce(contents.quantity, 0) - coalesce(previous_contents.previous_quantity, 0)
            as quantity_delta,
        coalesce(contents.unit_price, previous_contents.previous_unit_price) as unit_price
    from contents
    full outer join previous_contents
        on
            contents.contact_id = previous_contents.contact_id
            and contents.cart_id = previous_contents.cart_id
            and contents.snapshot_no = previous_contents.snapshot_no
            and contents.product_id = previous_contents.product_id
),

final as (
    select
        snapshots.source_system,
        snapshots.raw_file,
        snapshots.raw_line_no,
        snapshots.line_hash,
        snapshots.source_event_type,
        snapshots.contact_key,
        snapshots.contact_id,
        snapshots.order_id,
        snapshots.cart_id,
        snapshots.currency,
        changes.product_id,
        changes.snapshot_no,
        case when changes.quantity_delta > 0 then 1 else 12 end as event_type_id,
        abs(changes.quantity_delta) as quantity,
        changes.unit_price,
        snapshots.occurred_at,
        snapshots.is_client_time_trusted,
        snapshots.received_at,
        snapshots.loaded_at
    from changes
    -- the inner join also drops the "previous" of the last snapshot, which has no next
    inner join snapshots
        on
            changes.contact_id = snapshots.contact_id
            and changes.cart_id = snapshots.cart_id
            and changes.snapshot_no = snapshots.snapshot_no
    where changes.quantity_delta <> 0
)

select * from final
