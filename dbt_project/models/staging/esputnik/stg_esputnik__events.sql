{#- One row per landed eSputnik line: the Generate event v2 body parsed (params
    flattened, JSON-in-string values parsed), the contact picked by the vendor's
    locator priority and hashed, and a verdict (reason_code null = valid). -#}
with

event_type_map as (
    select * from {{ ref('event_type_map') }}
    where source_system = 'esputnik'
),

parsed as (
    {{ landed_lines('esputnik_lines', {
        'received_at': 'text',
        'body': {'eventTypeKey': 'text', 'keyValue': 'json', 'params': [{'name': 'text', 'value': 'text'}]},
    }) }}
),

envelope as (
    select
        *,
        line.received_at as received_at_text,
        line.body.eventtypekey as event_key,
        nullif(trim(json_extract_string(line.body.keyvalue, '$')), '') as key_value,
        {#- a params value that is not a list of objects reads as null, as a cast would #}
        line.body.params,
        {{ json_list_field('line.body.params', 'name') }} as param_names
    from parsed
),

params as (
    select
        *,
        {% for name in ['contactId', 'externalCustomerId', 'email', 'phone', 'pushToken',
                        'product', 'products', 'currencyCode', 'recycleStateId', 'orderNumber',
                        'page', 'category', 'search', 'recomVariantId'] -%}
            nullif(trim({{ esputnik_param('params', 'param_names', name) }}), '') as param_{{ name }},
        {% endfor -%}
        {{ parse_event_timestamp('received_at_text') }} as received_at
    from envelope
),

typed as (
    select
        params.*,
        event_type_map.source_event_type is not null as is_product_event,
        coalesce(event_type_map.is_cart_snapshot, false) as is_cart_snapshot,
        event_type_map.event_type_id,
        upper(param_currencycode) as currency,
        {{ json_object_or_null('param_product') }} as product_json,
        {{ json_array_or_null('param_products') }} as products_json,
        -- keyValue first, then the params in the vendor's priority (seeds 002/003)
        case
            when key_value is not null then key_value
            when param_contactid is not null then param_contactid
            when param_externalcustomerid is not null then param_externalcustomerid
            when param_email is not null then param_email
            when param_phone is not null then param_phone
            when param_pushtoken is not null then param_pushtoken
        end as locator_value,
        case
            when key_value is not null
                then
                    case
                        when key_value like '%@%' then 'email'
                        when regexp_full_match(key_value, '\+?[0-9 ()\-]{6,}') then 'phone'
                        else 'key'
                    end
            when param_contactid is not null then 'contact'
            when param_externalcustomerid is not null then 'external'
            when param_email is not null then 'email'
            when param_phone is not null then 'phone'
            when param_pushtoken is not null then 'push'
        end as locator_type
    from params
    left join event_type_map
        on params.event_key = event_type_map.source_event_type
),

items as (
    select
        *,
        case
            when param_product is not null then {{ json_array_of('product_json') }}
            when param_products is not null then products_json
            when is_cart_snapshot then '[]'::json  -- no products: the cart is empty
        end as items_json,
        event_key in ('productViewed', 'productAddedToWishlist') as needs_product,
        event_key = 'purchasedItems' or (
            is_product_event and not is_cart_snapshot
            and event_key not in ('productViewed', 'productAddedToWishlist')
        ) as needs_products,
        event_key in ('productViewed', 'productAddedToWishlist', 'cartUpdated', 'purchasedItems')
            as needs_price,
        event_key in ('cartUpdated', 'purchasedItems') as needs_quantity
    from typed
),

parsed_items as (
    select
        *,
        case when is_product_event then {{ json_parse('items_json', [
            {'productId': 'json', 'price': 'json', 'quantity': 'json'},
        ]) }} end as item_list
    from items
),

{# each figure of the product list computed once, from the list parsed once #}
item_figures as (
    select
        *,
        len(item_list) as item_count,
        {{ json_list_count_present('item_list', 'productId') }} as items_with_product_id,
        {{ json_list_count_scalar('item_list', 'productId') }} as items_with_scalar_product_id,
        {{ json_list_count_present('item_list', 'price') }} as items_with_price,
        {{ json_list_count_present('item_list', 'quantity') }} as items_with_quantity,
        {{ json_list_count_non_numeric('item_list', 'items_json', 'price') }} as items_non_numeric_price,
        {{ json_list_count_non_numeric('item_list', 'items_json', 'quantity') }} as items_non_numeric_quantity,
        {{ json_list_min_number('item_list', 'price') }} as min_price,
        {{ json_list_min_number('item_list', 'quantity') }} as min_quantity
    from parsed_items
),

{# The checks in order (the shared ones first, see line_checks): the first that holds is
   the verdict. A detail quoting a value as sent reads it from the
   text again, which only the rows it describes pay for. #}
{%- set checks = line_checks() + received_at_checks() + [
    ("locator_value is null", "missing_contact",
        "'no keyValue and none of the params contactId, externalCustomerId, email, phone, pushToken'"),
    ("not " ~ is_scalar_id('line.body.keyvalue'), "invalid_identifier",
        "'body.keyValue is not a string or a number: ' || line.body.keyvalue"),
    ("event_key is null", "missing_required_field", "'body.eventTypeKey missing'"),
    ("params is null", "missing_required_field", "'body.params missing or not a list of {name, value}'"),
    ("needs_product and param_product is null", "missing_required_field", "'param product missing'"),
    ("needs_products and param_products is null", "missing_required_field", "'param products missing'"),
    ("is_cart_snapshot and param_recycleStateId is null", "missing_required_field",
        "'param recycleStateId missing'"),
    ("event_key = 'purchasedItems' and param_orderNumber is null", "missing_required_field",
        "'param orderNumber missing'"),
    ("event_key = 'pageViewed' and param_page is null", "missing_required_field", "'param page missing'"),
    ("event_key = 'productCategoryViewed' and param_category is null", "missing_required_field",
        "'param category missing'"),
    ("event_key = 'searchRequest' and param_search is null", "missing_required_field",
        "'param search missing'"),
    ("event_key = 'productImpressions' and (param_recomVariantId is null or param_products is null)",
        "missing_required_field", "'param recomVariantId or products missing'"),
    ("param_product is not null and product_json is null", "invalid_product_payload",
        "'param product is not a JSON object: ' || param_product"),
    ("param_products is not null and products_json is null", "invalid_product_payload",
        "'param products is not a JSON array: ' || param_products"),
    ("is_product_event and items_with_product_id < item_count", "invalid_product_payload",
        "'a product has no productId'"),
    ("is_product_event and items_with_scalar_product_id < item_count", "invalid_identifier",
        "'a productId is not a string or a number'"),
    ("is_product_event and needs_price and items_with_price < item_count", "missing_required_field",
        "'a product has no price'"),
    ("is_product_event and needs_quantity and items_with_quantity < item_count", "missing_required_field",
        "'a product has no quantity'"),
    ("is_product_event and (items_non_numeric_price > 0 or min_price < 0)", "invalid_price",
        "'a product price is negative or not a finite number'"),
    ("is_product_event and (items_non_numeric_quantity > 0 or min_quantity < 0"
        ~ " or (not is_cart_snapshot and min_quantity = 0))", "invalid_quantity",
        "'a product quantity is negative, zero or not a finite number'"),
    ("not " ~ is_currency_code('currency'), "invalid_currency",
        "'param currencyCode is not a three-letter code: ' || param_currencycode"),
] %}

judged as (
    select
        *,
        {{ first_failing_check(checks) }} as failed_check,
        to_json(list_filter(params, lambda p: p.name not in ('email', 'phone', 'keyValue')))
            as other_params
    from item_figures
),

final as (
    select
        'esputnik' as source_system,
        null::varchar as app_key,
        raw_file,
        raw_line_no,
        line_hash,
        file_sha256,
        event_key as source_event_type,
        is_product_event,
        is_cart_snapshot,
        event_type_id,
        'esputnik:' || case
            when locator_type = 'email' then 'email:' || {{ email_pseudonym('locator_value') }}
            when locator_type = 'phone' then 'phone:' || {{ phone_pseudonym('locator_value') }}
            else {{ identifier_key('locator_type', 'locator_value') }}
        end as contact_key,
        null::varchar as guest_key,
        null::varchar as visitor_key,
        {{ email_pseudonym("coalesce(param_email, case when locator_type = 'email' then key_value end)") }}
            as email_pseudonym,
        {{ phone_pseudonym("coalesce(param_phone, case when locator_type = 'phone' then key_value end)") }}
            as phone_pseudonym,
        {{ scrub_pii('param_ordernumber') }} as order_id,
        {{ scrub_pii('param_recyclestateid') }} as cart_id,
        currency,
        case when is_product_event then {{ scrub_pii('items_json', as_json=true) }} end as items,
        {#- params without the contact locators, and no email or phone in the others; a
            product event's payload is its items #}
        case when params is not null and not is_product_event then {{ scrub_pii('other_params', as_json=true) }} end
            as properties,
        raw_line,
        {{ reason_columns(checks, 'failed_check') }},
        received_at,
        received_at as occurred_at,
        true as is_client_time_trusted,  -- no client time is sent
        loaded_at
    from judged
)

select * from final
