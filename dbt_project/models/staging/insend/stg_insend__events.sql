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
    {{ landed_lines('insend_lines', {
        'received_at': 'text', 'app_key': 'text', 'visitor_uid': 'json', 'guest_uid': 'json', 'data': 'text',
    }) }}
),

envelope as (
    select
        *,
        line.received_at as received_at_text,
        nullif(trim(line.app_key), '') as app_key,
        nullif(trim(json_extract_string(line.visitor_uid, '$')), '') as visitor_uid,
        nullif(trim(json_extract_string(line.guest_uid, '$')), '') as guest_uid,
        {#- `data` is JSON text; an object sent as is reads as its JSON text too #}
        line.data as data_text
    from parsed
),

payload as (
    select
        *,
        {{ json_parse_object('data_text', {
            'type': 'text', 'properties': 'json', 'visitor_info': {'email': 'text', 'phone': 'text'},
        }) }} as data_parsed,
        {{ parse_event_timestamp('received_at_text') }} as received_at
    from envelope
),

data_fields as (
    select
        *,
        data_parsed.type as event_key,
        case
            when data_parsed.properties is not null then data_parsed.properties
            {#- absent or JSON null (kept as JSON null in properties): the rare case asks the text #}
            when data_parsed is not null then {{ json_get('data_text', 'properties') }}
        end as properties_json
    from payload
),

typed as (
    select
        data_fields.*,
        event_type_map.source_event_type is not null as is_product_event,
        coalesce(event_type_map.is_cart_snapshot, false) as is_cart_snapshot,
        event_type_map.event_type_id
    from data_fields
    left join event_type_map
        on data_fields.event_key = event_type_map.source_event_type
),

properties as (
    select
        *,
        {{ json_parse('properties_json', {'order_id': 'text', 'items': 'json'}) }} as properties_parsed
    from typed
),

items as (
    select
        *,
        case
            when event_key in ('update_cart', 'purchase')
                {#- absent or JSON null: the rare case asks the text #}
                then coalesce(properties_parsed.items, {{ json_get('properties_json', 'items') }})
            when is_product_event then {{ json_array_of('properties_json') }}
        end as items_json,
        properties_parsed.order_id,
        nullif(trim(data_parsed.visitor_info.email), '') as visitor_email,
        nullif(trim(data_parsed.visitor_info.phone), '') as visitor_phone
    from properties
),

parsed_items as (
    select
        *,
        case when is_product_event then {{ json_parse('items_json', [
            {'product_id': 'json', 'price': 'json', 'qnt': 'json'},
        ]) }} end as item_list
    from items
),

{# each figure of the product list computed once, from the list parsed once #}
item_figures as (
    select
        *,
        len(item_list) as item_count,
        {{ json_list_count_present('item_list', 'product_id') }} as items_with_product_id,
        {{ json_list_count_scalar('item_list', 'product_id') }} as items_with_scalar_product_id,
        {{ json_list_count_non_numeric('item_list', 'items_json', 'price') }} as items_non_numeric_price,
        {{ json_list_count_non_numeric('item_list', 'items_json', 'qnt') }} as items_non_numeric_qnt,
        {{ json_list_min_number('item_list', 'price') }} as min_price,
        {{ json_list_min_number('item_list', 'qnt') }} as min_qnt
    from parsed_items
),

{# The checks in order (the shared ones first, see line_checks): the first that holds is
   the verdict. A detail quoting a value as sent reads it from the
   text again, which only the rows it describes pay for. #}
{%- set checks = line_checks() + [
    ("data_text is not null and data_parsed is null", "invalid_json",
        "'data is not a JSON object (or JSON text of one)'"),
    ] + received_at_checks() + [
    ("visitor_uid is null and guest_uid is null", "missing_contact", "'neither visitor_uid nor guest_uid'"),
    ("not (" ~ is_scalar_id('line.visitor_uid') ~ " and " ~ is_scalar_id('line.guest_uid') ~ ")",
        "invalid_identifier", "'visitor_uid or guest_uid is not a string or a number'"),
    ("data_parsed is null", "missing_required_field", "'data missing'"),
    ("event_key is null", "missing_required_field", "'data.type missing'"),
    ("not is_product_event and event_key not in ('" ~ site_event_types | join("', '") ~ "')",
        "unknown_event_type", "'type ' || event_key || ' is not an InSend event type'"),
    ("is_product_event and coalesce(" ~ json_type_of('properties_json') ~ " <> 'OBJECT', true)",
        "missing_required_field", "'data.properties missing'"),
    ("event_key in ('update_cart', 'purchase') and coalesce(" ~ json_type_of('items_json')
        ~ " <> 'ARRAY', true)", "missing_required_field", "'properties.items missing or not a list'"),
    ("event_key = 'purchase' and order_id is null",
        "missing_required_field", "'properties.order_id missing'"),
    ("is_product_event and items_with_product_id < item_count",
        "missing_required_field", "'product_id missing'"),
    ("is_product_event and items_with_scalar_product_id < item_count", "invalid_identifier",
        "'a product_id is not a string or a number'"),
    ("is_product_event and (items_non_numeric_price > 0 or min_price < 0)", "invalid_price",
        "'a price is negative or not a finite number'"),
    ("is_product_event and (items_non_numeric_qnt > 0 or min_qnt < 0"
        ~ " or (not is_cart_snapshot and min_qnt = 0))", "invalid_quantity",
        "'a qnt is negative, zero or not a finite number'"),
] %}

judged as (
    select
        *,
        {{ first_failing_check(checks) }} as failed_check,
        'insend:' || {{ identifier_key("'guest'", 'guest_uid') }} as guest_key,
        'insend:' || {{ identifier_key("'visitor'", 'visitor_uid') }} as visitor_key
    from item_figures
),

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
        coalesce(visitor_key, guest_key) as contact_key,
        guest_key,
        visitor_key,
        {{ email_pseudonym('visitor_email') }} as email_pseudonym,
        {{ phone_pseudonym('visitor_phone') }} as phone_pseudonym,
        {{ scrub_pii('order_id') }} as order_id,
        -- InSend has no cart ID: the cart is the (stitched) contact's, set downstream
        cast(null as varchar) as cart_id,
        cast(null as varchar) as currency,
        case when is_product_event then {{ scrub_pii('items_json', as_json=true) }} end as items,
        {#- a product event's payload is its items #}
        case when not is_product_event then {{ scrub_pii('properties_json', as_json=true) }} end as properties,
        raw_line,
        {{ reason_columns(checks, 'failed_check') }},
        received_at,
        received_at as occurred_at,
        true as is_client_time_trusted,  -- no client time is sent
        loaded_at
    from judged
)

select * from final
