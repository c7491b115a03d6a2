{#- One row per landed User.com line: parsed, typed, and judged (reason_code null = valid). -#}
with

event_types as (
    select * from {{ ref('event_types') }}
),

parsed as (
    {{ landed_lines('usercom_lines') }}
),

fields as (
    select
        *,
        {{ json_get('line_json', 'received_at') }} as received_at_json,
        {{ json_get('line_json', 'sent_at') }} as sent_at_json,
        nullif(trim({{ json_get_text('line_json', 'user_id') }}), '') as user_id,
        {{ json_get_text('line_json', 'method') }} as method,
        {{ json_get('line_json', 'data') }} as data_json
    from parsed
),

data_fields as (
    select
        *,
        coalesce({{ json_type_of('data_json') }} = 'OBJECT', false) as has_data_object,
        method = 'product_event' as is_product_event,
        nullif(trim({{ json_get_text('data_json', 'product_id') }}), '') as product_id,
        {{ json_get('data_json', 'event_type') }} as event_type_json,
        lower(trim({{ json_get_text('data_json', 'event_type') }})) as event_type_token,
        {#- an ID may come as 8 or "8"; "8.5" must not round to 9 #}
        case
            when {{ is_digits("trim(" ~ json_get_text('data_json', 'event_type') ~ ")") }}
                then try_cast({{ json_get_text('data_json', 'event_type') }} as integer)
        end as event_type_number,
        {{ json_get('data_json', 'price') }} as price_json,
        {{ json_get('data_json', 'quantity') }} as quantity_json,
        {{ parse_event_timestamp('received_at_json') }} as received_at,
        {{ parse_event_timestamp('sent_at_json') }} as sent_at
    from fields
),

resolved as (
    select
        data_fields.*,
        coalesce(by_name.event_type_id, by_id.event_type_id) as resolved_event_type_id
    from data_fields
    left join event_types as by_name
        on data_fields.event_type_token = by_name.event_type
    left join event_types as by_id
        on data_fields.event_type_number = by_id.event_type_id
),

{%- set checks = [
    ("coalesce(trim(raw_line), '') = ''", "empty_line", "'blank line'"),
    ("line_json is null", "invalid_json", "'line is not a JSON object'"),
    ("received_at is null", "invalid_timestamp",
        "'received_at missing or not a timestamp: ' || coalesce(cast(received_at_json as varchar), 'absent')"),
    (json_is_present('sent_at_json') ~ " and sent_at is null", "invalid_timestamp",
        "'sent_at is not a timestamp: ' || cast(sent_at_json as varchar)"),
    ("user_id is null", "missing_contact", "'user_id missing or empty'"),
    ("method is null", "missing_required_field", "'method missing'"),
    ("not has_data_object", "missing_required_field", "'data missing or not an object'"),
    ("is_product_event and product_id is null", "missing_required_field", "'data.product_id missing'"),
    ("is_product_event and not " ~ json_is_present('event_type_json'), "missing_required_field",
        "'data.event_type missing'"),
    ("is_product_event and resolved_event_type_id is null", "unknown_event_type",
        "'event_type ' || cast(event_type_json as varchar) || ' is not one of the 16 names or IDs'"),
    (json_is_present('price_json') ~ " and coalesce(try_cast(" ~ json_get_text('data_json', 'price')
        ~ " as double) < 0, true)", "invalid_price",
        "'data.price is negative or not a number: ' || cast(price_json as varchar)"),
    (json_is_present('quantity_json') ~ " and coalesce(try_cast(" ~ json_get_text('data_json', 'quantity')
        ~ " as double) <= 0, true)", "invalid_quantity",
        "'data.quantity is not a positive number: ' || cast(quantity_json as varchar)"),
] %}

final as (
    select
        'usercom' as source_system,
        cast(null as varchar) as app_key,
        raw_file,
        raw_line_no,
        line_hash,
        file_sha256,
        case when is_product_event then event_type_token else method end as source_event_type,
        coalesce(is_product_event, false) as is_product_event,
        false as is_cart_snapshot,
        case when is_product_event then resolved_event_type_id end as event_type_id,
        'usercom:' || user_id as contact_key,
        cast(null as varchar) as guest_key,
        cast(null as varchar) as visitor_key,
        cast(null as varchar) as email_sha256,
        cast(null as varchar) as phone_sha256,
        {{ json_get_text('data_json', 'order_id') }} as order_id,
        cast(null as varchar) as cart_id,
        upper(trim({{ json_get_text('data_json', 'currency') }})) as currency,
        case when is_product_event then {{ json_array_of('data_json') }} end as items,
        data_json as properties,
        raw_line,
        {{ reason_columns(checks) }},
        received_at,
        coalesce(sent_at, received_at) as occurred_at,
        loaded_at
    from resolved
)

select * from final
