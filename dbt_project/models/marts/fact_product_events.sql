-- depends_on: {{ ref('int_contacts_stitched') }}
{#- One row per product line of an accepted product event, in the 16 canonical types.
    Cart snapshots appear as their changes (add to cart / remove).

    Incremental by contact: a run rebuilds the rows of every contact with a newly
    landed line (delete+insert on contact_id), so a late, older event or a new
    snapshot in the middle of a cart re-derives that contact's rows exactly as a full
    build would. Rows left under a guest key that has since been stitched to a visitor
    are removed first (pre-hook). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where contact_id in (select contact_key from {{ ref('int_contacts_stitched') }} where is_stitched){% endif %}",
) }}
with

event_types as (
    select * from {{ ref('event_types') }}
),

lines as (
    select * from {{ ref('int_product_lines_unnested') }}
    where not is_cart_snapshot
),

cart_changes as (
    select * from {{ ref('int_cart_snapshots_diffed') }}
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
        false as is_from_cart_snapshot,
        occurred_at,
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
        true as is_from_cart_snapshot,
        occurred_at,
        received_at,
        raw_file,
        raw_line_no,
        loaded_at
    from cart_changes
),

{% if is_incremental() %}
    touched_contacts as (
        select distinct contact_id from product_rows
        where loaded_at > (select coalesce(max(loaded_at), '1900-01-01'::timestamp) from {{ this }})
    ),
{% endif %}

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
        product_rows.is_from_cart_snapshot,
        product_rows.occurred_at,
        product_rows.received_at,
        product_rows.raw_file,
        product_rows.raw_line_no,
        product_rows.loaded_at
    from product_rows
    inner join event_types
        on product_rows.event_type_id = event_types.event_type_id
    {% if is_incremental() %}
        where product_rows.contact_id in (select contact_id from touched_contacts)
    {% endif %}
)

select * from final
