{#- Keyed pseudonyms and scrubbing: no email or phone reaches a published table in
    clear text (CONTRACT §5). The key is outside the warehouse (orchestration/defs/warehouse/pii.py). -#}

{#- HMAC-SHA-256(key, text) as hex; null for null. The key's pads are DuckDB variables
    the dbt-duckdb plugin orchestration.defs.warehouse.pii sets on every connection. A unit test gives
    a key of its own as the var pii_hash_key_for_tests (never a real key: it would be
    written into the compiled SQL). -#}
{% macro pseudonym(text_expr) -%}
    {%- set test_key = var('pii_hash_key_for_tests', none) -%}
    {%- if test_key is not none -%}
        {%- set block = "(encode('" ~ test_key ~ "') || unhex(repeat('00', 64 - octet_length(encode('" ~ test_key ~ "')))))" -%}
        {%- set ipad = "xor(" ~ block ~ "::bit, '" ~ "00110110" * 64 ~ "'::bit)::blob" -%}
        {%- set opad = "xor(" ~ block ~ "::bit, '" ~ "01011100" * 64 ~ "'::bit)::blob" -%}
    {%- else -%}
        {%- set missing = "error('no PII key on this connection: see the plugins in dbt_project/profiles.yml')" -%}
        {%- set ipad = "coalesce(getvariable('pii_hmac_ipad'), " ~ missing ~ ")" -%}
        {%- set opad = "coalesce(getvariable('pii_hmac_opad'), " ~ missing ~ ")" -%}
    {%- endif -%}
    sha256({{ opad }} || unhex(sha256({{ ipad }} || encode({{ text_expr }}))))
{%- endmacro %}

{#- An email as its pseudonym: trimmed and lower-cased first, so one address has one. -#}
{% macro email_pseudonym(text_expr) -%}
    {{ pseudonym("lower(trim(" ~ text_expr ~ "))") }}
{%- endmacro %}

{#- A phone as its pseudonym: its digits only, so "+48 600-700-800" is "48600700800". -#}
{% macro phone_pseudonym(text_expr) -%}
    {{ pseudonym("nullif(regexp_replace(" ~ text_expr ~ ", '[^0-9]', '', 'g'), '')") }}
{%- endmacro %}

{#- Whether a whole value looks like an email / a phone number (an identifier sent in
    a field that is not meant for one). A phone is told by its + and 7 to 15 digits:
    a bare number is an ID, a date or a price far more often than a phone. -#}
{% macro is_email_shaped(text_expr) -%}
    coalesce(contains({{ text_expr }}, '@')
        and regexp_full_match(trim({{ text_expr }}), '[^@\s]+@[^@\s]+\.[^@\s]+'), false)
{%- endmacro %}

{% macro is_phone_shaped(text_expr) -%}
    coalesce(starts_with(trim({{ text_expr }}), '+')
        and regexp_full_match(trim({{ text_expr }}), '\+[0-9][0-9 ().\-]{5,20}[0-9]'), false)
{%- endmacro %}

{#- An identifier as the part of a contact key after the source: '<kind>:<value>'
    (kind_sql: an SQL expression), or 'email:<pseudonym>' / 'phone:<pseudonym>' when the
    value is email- or phone-shaped. -#}
{% macro identifier_key(kind_sql, text_expr) -%}
    case
        when {{ is_email_shaped(text_expr) }} then 'email:' || {{ email_pseudonym(text_expr) }}
        when {{ is_phone_shaped(text_expr) }} then 'phone:' || {{ phone_pseudonym(text_expr) }}
        else {{ kind_sql }} || ':' || {{ text_expr }}
    end
{%- endmacro %}

{#- Free-form text or JSON text (site event properties, product payloads, order IDs)
    with every email-shaped and +-prefixed phone-shaped value replaced by [email] /
    [phone], and the value of any key named like a phone or an email (phone, mobile,
    msisdn, email, e_mail...) too. Stays valid JSON: a replacement stays inside its
    string. Only text holding an @, a + or such a key pays for the replacing; with
    as_json, a JSON value stays JSON and only a replaced one is parsed again. -#}
{% macro scrub_pii(text_expr, as_json=false) -%}
    {%- set email = "[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+" -%}
    {%- set phone = "\+[0-9][0-9 ().\-]{5,20}[0-9]" -%}
    {%- set keyed = '("(?i:[a-z0-9_\-]*(?:phone|mobile|msisdn|e-?mail)[a-z0-9_\-]*)"\s*:\s*)("(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+\-]*)' -%}
    case
        when regexp_matches({{ text_expr }}, '@|\+[0-9]|(?i:phone|mobile|msisdn|mail)')
            then regexp_replace(regexp_replace(regexp_replace({{ text_expr }},
                '{{ keyed }}', '\1"[redacted]"', 'g'),
                '{{ email }}', '[email]', 'g'),
                '{{ phone }}', '[phone]', 'g'){{ '::json' if as_json }}
        else {{ text_expr }}
    end
{%- endmacro %}
