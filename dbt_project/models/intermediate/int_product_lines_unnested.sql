{#- One row per product line of an accepted product event (cart snapshots included,
    as their lines), vendor field names mapped to one set: product_id, quantity,
    unit_price, the item's discount (eSputnik) and the product attributes; unknown keys
    go to `attributes`.
    Incremental per contact (contact_keyed_incremental). -#}
{%- set known_keys = {
    'usercom': ['product_id', 'event_type', 'name', 'price', 'category', 'url', 'image_url',
                'quantity', 'order_id', 'currency'],
    'esputnik': ['productId', 'name', 'price', 'category', 'isInStock', 'quantity', 'discount'],
    'insend': ['product_id', 'product_name', 'price', 'category_id', 'product_url',
               'product_image_url', 'qnt'],
} %}
{#- Every item key read below, read with one parse of the item; item_field[key] is its text. -#}
{%- set read_keys = ['product_id', 'productId', 'name', 'product_name', 'category', 'category_id',
                     'url', 'product_url', 'image_url', 'product_image_url', 'quantity', 'qnt',
                     'price', 'isInStock', 'discount'] %}
{%- set item_field = {} %}
{%- for key in read_keys %}
    {%- do item_field.update({key: list_at('item_fields', loop.index)}) %}
{%- endfor %}
{{ contact_keyed_incremental() }}
with
{{ touched_contacts() }}

product_events as (
    select identified.*
    from {{ identified_events('identified') }}
    where identified.is_product_event
),

unnested as (
    select
        product_events.*,
        {{ json_array_elements('items', 'item', 'item_index') }}
    from product_events
),

items_read as (
    select
        *,
        {{ json_get_texts('item', read_keys) }} as item_fields
    from unnested
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
        coalesce({{ item_field['product_id'] }}, {{ item_field['productId'] }}) as product_id,
        coalesce({{ item_field['name'] }}, {{ item_field['product_name'] }}) as name,
        coalesce({{ item_field['category'] }}, {{ item_field['category_id'] }}) as category,
        coalesce({{ item_field['url'] }}, {{ item_field['product_url'] }}) as url,
        coalesce({{ item_field['image_url'] }}, {{ item_field['product_image_url'] }}) as image_url,
        case source_system
            {%- for source, keys in known_keys.items() %}
                when '{{ source }}' then {{ json_remove_keys('item', keys) }}
            {%- endfor %}
        end as attributes,
        event_type_id,
        coalesce(
            try_cast({{ item_field['quantity'] }} as double),
            try_cast({{ item_field['qnt'] }} as double),
            1
        ) as quantity,
        try_cast({{ item_field['price'] }} as double) as unit_price,
        try_cast({{ item_field['isInStock'] }} as integer) = 1 as in_stock,
        {#- eSputnik's item discount (a string, e.g. "10%"): the line's, not the product's #}
        nullif(trim({{ item_field['discount'] }}), '') as item_discount,
        is_cart_snapshot,
        occurred_at,
        is_client_time_trusted,
        received_at,
        loaded_at
    from items_read
)

select * from final
