{#- One row per landed User.com line: parsed, typed, and judged (reason_code null = valid). -#}
with

event_types as (
    select * from {{ ref('event_types') }}
),

parsed as (
    {{ landed_lines('usercom_lines', {
        'received_at': 'text', 'sent_at': 'text', 'user_id': 'json', 'method': 'text', 'data': 'json',
    }) }}
),

fields as (
    select
        *,
        line.received_at as received_at_text,
        line.sent_at as sent_at_text,
        nullif(trim(json_extract_string(line.user_id, '$')), '') as user_id,
        {{ is_scalar_id('line.user_id') }} as is_scalar_user_id,
        line.method,
        case
            when line.data is not null then line.data
            {#- absent or JSON null (kept as JSON null in properties): the rare case asks the text #}
            when line is not null then {{ json_get('raw_line', 'data') }}
        end as data_json
    from parsed
),

data_fields as (
    select
        *,
        {{ json_parse('data_json', {
            'product_id': 'json', 'event_type': 'text', 'price': 'text', 'quantity': 'text',
            'order_id': 'text', 'currency': 'text',
        }) }} as data_parsed,
        coalesce({{ json_type_of('data_json') }} = 'OBJECT', false) as has_data_object,
        method = 'product_event' as is_product_event,
        {{ parse_event_timestamp('received_at_text') }} as received_at,
        {{ parse_event_timestamp('sent_at_text') }} as sent_at
    from fields
),

data_values as (
    select
        *,
        nullif(trim(json_extract_string(data_parsed.product_id, '$')), '') as product_id,
        {{ is_scalar_id('data_parsed.product_id') }} as is_scalar_product_id,
        nullif(upper(trim(data_parsed.currency)), '') as currency,
        data_parsed.event_type as event_type_text,
        lower(trim(data_parsed.event_type)) as event_type_token,
        {#- an ID may come as 8 or "8"; "8.5" must not round to 9 #}
        case
            when {{ is_digits("trim(data_parsed.event_type)") }}
                then try_cast(data_parsed.event_type as integer)
        end as event_type_number,
        data_parsed.price as price_text,
        data_parsed.quantity as quantity_text
    from data_fields
),

resolved as (
    select
        data_values.*,
        coalesce(by_name.event_type_id, by_id.event_type_id) as resolved_event_type_id
    from data_values
    left join event_types as by_name
        on data_values.event_type_token = by_name.event_type
    left join event_types as by_id
        on data_values.event_type_number = by_id.event_type_id
),

{# The checks in order (the shared ones first, see line_checks): the first that holds is
   the verdict. A detail quoting a value as sent reads it from the
   text again, which only the rows it describes pay for. NaN, Infinity and an overflowing
   1e309 (which DuckDB's JSON reader takes) cast to doubles that are not finite. #}
{%- set checks = line_checks() + received_at_checks() + [
    ("sent_at_text is not null and sent_at is null", "invalid_timestamp",
        "'sent_at is not a timestamp: ' || cast(sent_at_text as varchar)"),
    ("user_id is null", "missing_contact", "'user_id missing or empty'"),
    ("not is_scalar_user_id", "invalid_identifier", "'user_id is not a string or a number: ' || cast(line.user_id as varchar)"),
    ("method is null", "missing_required_field", "'method missing'"),
    ("not has_data_object", "missing_required_field", "'data missing or not an object'"),
    ("is_product_event and product_id is null", "missing_required_field", "'data.product_id missing'"),
    ("is_product_event and not is_scalar_product_id", "invalid_identifier",
        "'data.product_id is not a string or a number: ' || cast(data_parsed.product_id as varchar)"),
    ("is_product_event and event_type_text is null", "missing_required_field",
        "'data.event_type missing'"),
    ("is_product_event and resolved_event_type_id is null", "unknown_event_type",
        "'event_type ' || cast(" ~ json_get('data_json', 'event_type')
        ~ " as varchar) || ' is not one of the 16 names or IDs'"),
    ("price_text is not null and coalesce(not isfinite(try_cast(price_text as double))"
        ~ " or try_cast(price_text as double) < 0, true)", "invalid_price",
        "'data.price is negative or not a finite number: ' || cast(" ~ json_get('data_json', 'price') ~ " as varchar)"),
    ("quantity_text is not null and coalesce(not isfinite(try_cast(quantity_text as double))"
        ~ " or try_cast(quantity_text as double) <= 0, true)",
        "invalid_quantity",
        "'data.quantity is not a positive finite number: ' || cast(" ~ json_get('data_json', 'quantity')
        ~ " as varchar)"),
    ("not " ~ is_currency_code('currency'), "invalid_currency",
        "'data.currency is not a three-letter code: ' || cast(" ~ json_get('data_json', 'currency') ~ " as varchar)"),
] %}

{%- set client_time_trusted = "coalesce(sent_at between timestamp '2000-01-01'"
    ~ " and received_at + interval 1 day, sent_at is null)" %}

judged as (
    select
        *,
        {{ first_failing_check(checks) }} as failed_check,
        {#- emails and phones anywhere in the payload (site event properties, product
            attributes) do not pass staging #}
        {{ scrub_pii('data_json', as_json=true) }} as data_scrubbed
    from resolved
),

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
        'usercom:' || {{ identifier_key("'user_id'", 'user_id') }} as contact_key,
        cast(null as varchar) as guest_key,
        cast(null as varchar) as visitor_key,
        case when {{ is_email_shaped('user_id') }} then {{ email_pseudonym('user_id') }} end
            as email_pseudonym,
        case when {{ is_phone_shaped('user_id') }} then {{ phone_pseudonym('user_id') }} end
            as phone_pseudonym,
        {{ scrub_pii('data_parsed.order_id') }} as order_id,
        cast(null as varchar) as cart_id,
        currency,
        case when is_product_event then {{ json_array_of('data_scrubbed') }} end as items,
        {#- a product event's payload is its one item: stored once #}
        case when not coalesce(is_product_event, false) then data_scrubbed end as properties,
        raw_line,
        {{ reason_columns(checks, 'failed_check') }},
        received_at,
        {#- a client clock over a day ahead of the server, or before 2000, is not trusted #}
        case when {{ client_time_trusted }} then coalesce(sent_at, received_at) else received_at end as occurred_at,
        {{ client_time_trusted }} as is_client_time_trusted,
        loaded_at
    from judged
)

select * from final
