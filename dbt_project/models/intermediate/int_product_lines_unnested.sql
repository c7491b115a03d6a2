{#- One row per product line of an accepted product event (cart snapshots included,
    as their lines), vendor field names mapped to one set: product_id, quantity,
    unit_price and the product attributes; unknown keys go to `attributes`.
    Incremental per contact (contact_keyed_incremental). -#}
{%- set known_keys = {
    'usercom': ['product_id', 'event_type', 'name', 'price', 'category', 'url', 'image_url',
                'quantity', 'order_id', 'currency'],
    'esputnik': ['productId', 'name', 'price', 'category', 'isInStock', 'quantity'],
    'insend': ['product_id', 'product_name', 'price', 'category_id', 'product_url',
               'product_image_url', 'qnt'],
} %}
{{ contact_keyed_incremental() }}
with

product_events as (
    select * from {{ ref('int_events_identified') }}
    where
        is_product_event
        and {{ only_touched_contacts() }}
),

unnested as (
    select
        product_events.*,
        {{ json_array_elements('items', 'item', 'item_index') }}
    from product_events
),

final as (
    select
        source_system,
        raw_file,
        raw_line_no,
        line_hash,
        item_index,
        source_event_type,
        contact_key,
        contact_id,
        order_id,
        cart_id,
        currency,
        coalesce(
            {{ json_get_text('item', 'product_id') }}, {{ json_get_text('item', 'productId') }}
        ) as product_id,
        coalesce(
            {{ json_get_text('item', 'name') }}, {{ json_get_text('item', 'product_name') }}
        ) as name,
        coalesce(
            {{ json_get_text('item', 'category') }}, {{ json_get_text('item', 'category_id') }}
        ) as category,
        coalesce(
            {{ json_get_text('item', 'url') }}, {{ json_get_text('item', 'product_url') }}
        ) as url,
        coalesce(
            {{ json_get_text('item', 'image_url') }}, {{ json_get_text('item', 'product_image_url') }}
        ) as image_url,
        case source_system
            {%- for source, keys in known_keys.items() %}
                when '{{ source }}' then {{ json_remove_keys('item', keys) }}
            {%- endfor %}
        end as attributes,
        event_type_id,
        coalesce(
            try_cast({{ json_get_text('item', 'quantity') }} as double),
            try_cast({{ json_get_text('item', 'qnt') }} as double),
            1
        ) as quantity,
        try_cast({{ json_get_text('item', 'price') }} as double) as unit_price,
        try_cast({{ json_get_text('item', 'isInStock') }} as integer) = 1 as in_stock,
        is_cart_snapshot,
        occurred_at,
        received_at,
        loaded_at
    from unnested
)

select * from final
