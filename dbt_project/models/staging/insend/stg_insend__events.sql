{#- One row per landed InSend line: the tracker POST parsed (the `data` JSON text too),
    guest and visitor keys kept for stitching, visitor_info hashed, and a verdict
    (reason_code null = valid). -#}
{%- set site_event_types = ['link', 'file', 'mailto', 'custom', 'update_info'] %}
with

event_type_map as (
    select * from {{ ref('event_type_map') }}
    where source_system = 'insend'
),

parsed as (
    {{ landed_lines('insend_lines') }}
),

envelope as (
    select
        *,
        {{ json_get('line_json', 'received_at') }} as received_at_json,
        nullif(trim({{ json_get_text('line_json', 'app_key') }}), '') as app_key,
        nullif(trim({{ json_get_text('line_json', 'visitor_uid') }}), '') as visitor_uid,
        nullif(trim({{ json_get_text('line_json', 'guest_uid') }}), '') as guest_uid,
        {{ json_get('line_json', 'data') }} as data_raw
    from parsed
),

payload as (
    select
        *,
        -- `data` is JSON text; an object sent as is is accepted too
        case
            when {{ json_type_of('data_raw') }} = 'OBJECT' then data_raw
            else {{ json_object_or_null("json_extract_string(data_raw, '$')") }}
        end as data_json,
        {{ parse_event_timestamp('received_at_json') }} as received_at
    from envelope
),

typed as (
    select
        payload.*,
        {{ json_get_text('data_json', 'type') }} as event_key,
        {{ json_get('data_json', 'properties') }} as properties_json,
        {{ json_get('data_json', 'visitor_info') }} as visitor_info_json,
        event_type_map.source_event_type is not null as is_product_event,
        coalesce(event_type_map.is_cart_snapshot, false) as is_cart_snapshot,
        event_type_map.event_type_id
    from payload
    left join event_type_map
        on {{ json_get_text('payload.data_json', 'type') }} = event_type_map.source_event_type
),

items as (
    select
        *,
        case
            when event_key in ('update_cart', 'purchase') then {{ json_get('properties_json', 'items') }}
            when is_product_event then {{ json_array_of('properties_json') }}
        end as items_json,
        nullif(trim({{ json_get_text('visitor_info_json', 'email') }}), '') as visitor_email,
        nullif(trim({{ json_get_text('visitor_info_json', 'phone') }}), '') as visitor_phone
    from typed
),

{%- set checks = [
    ("coalesce(trim(raw_line), '') = ''", "empty_line", "'blank line'"),
    ("line_json is null", "invalid_json", "'line is not a JSON object'"),
    (json_is_present('data_raw') ~ " and data_json is null", "invalid_json",
        "'data is not a JSON object (or JSON text of one)'"),
    ("received_at is null", "invalid_timestamp",
        "'received_at missing or not a timestamp: ' || coalesce(cast(received_at_json as varchar), 'absent')"),
    ("visitor_uid is null and guest_uid is null", "missing_contact", "'neither visitor_uid nor guest_uid'"),
    ("data_json is null", "missing_required_field", "'data missing'"),
    ("event_key is null", "missing_required_field", "'data.type missing'"),
    ("not is_product_event and event_key not in ('" ~ site_event_types | join("', '") ~ "')",
        "unknown_event_type", "'type ' || event_key || ' is not an InSend event type'"),
    ("is_product_event and coalesce(" ~ json_type_of('properties_json') ~ " <> 'OBJECT', true)",
        "missing_required_field", "'data.properties missing'"),
    ("event_key in ('update_cart', 'purchase') and coalesce(" ~ json_type_of('items_json')
        ~ " <> 'ARRAY', true)", "missing_required_field", "'properties.items missing or not a list'"),
    ("event_key = 'purchase' and " ~ json_get_text('properties_json', 'order_id') ~ " is null",
        "missing_required_field", "'properties.order_id missing'"),
    ("is_product_event and " ~ json_array_count_present('items_json', 'product_id')
        ~ " < json_array_length(items_json)", "missing_required_field", "'product_id missing'"),
    ("is_product_event and (" ~ json_array_count_non_numeric('items_json', 'price') ~ " > 0 or "
        ~ json_array_min_number('items_json', 'price') ~ " < 0)", "invalid_price",
        "'a price is negative or not a number'"),
    ("is_product_event and (" ~ json_array_count_non_numeric('items_json', 'qnt') ~ " > 0 or "
        ~ json_array_min_number('items_json', 'qnt') ~ " < 0 or (not is_cart_snapshot and "
        ~ json_array_min_number('items_json', 'qnt') ~ " = 0))", "invalid_quantity",
        "'a qnt is negative, zero or not a number'"),
] %}

final as (
    select
        'insend' as source_system,
        app_key,
        raw_file,
        raw_line_no,
        line_hash,
        file_sha256,
        event_key as source_event_type,
        is_product_event,
        is_cart_snapshot,
        event_type_id,
        case
            when visitor_uid is not null then 'insend:visitor:' || visitor_uid
            else 'insend:guest:' || guest_uid
        end as contact_key,
        'insend:guest:' || guest_uid as guest_key,
        'insend:visitor:' || visitor_uid as visitor_key,
        {{ sha256_hex('lower(visitor_email)') }} as email_sha256,
        {{ sha256_hex(digits_only('visitor_phone')) }} as phone_sha256,
        {{ json_get_text('properties_json', 'order_id') }} as order_id,
        -- InSend has no cart ID: the cart is the (stitched) contact's, set downstream
        cast(null as varchar) as cart_id,
        cast(null as varchar) as currency,
        case when is_product_event then items_json end as items,
        properties_json as properties,
        raw_line,
        {{ reason_columns(checks) }},
        received_at,
        received_at as occurred_at,
        loaded_at
    from items
)

select * from final
