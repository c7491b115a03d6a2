{#- The checks every staging model makes first, in the (condition, reason_code, detail)
    form of reason_columns, for its own list: the line itself, then its server time. -#}

{#- Whether the line is text, not blank and a JSON object (`line`, see landed_lines). A
    JSON object is never blank, so only the other lines pay for the blank test. -#}
{% macro line_checks() -%}
    {{ return([
        ("is_invalid_utf8", "invalid_encoding", "'the line is not valid UTF-8 (bad bytes shown as U+FFFD)'"),
        ("line is null and regexp_full_match(coalesce(raw_line, ''), '\\s*')", "empty_line", "'blank line'"),
        ("line is null", "invalid_json", "'line is not a JSON object'"),
    ]) }}
{%- endmacro %}

{#- received_at, the server time, is a timestamp and plausible: from 2000 on and not
    over a day after the line landed (a server clock is not a client's to distrust). -#}
{% macro received_at_checks() -%}
    {{ return([
        ("received_at is null", "invalid_timestamp",
            "'received_at missing or not a timestamp: ' || coalesce(cast("
            ~ json_get('raw_line', 'received_at') ~ " as varchar), 'absent')"),
        ("received_at < timestamp '2000-01-01' or received_at > loaded_at + interval 1 day",
            "invalid_timestamp",
            "'received_at is implausible (before 2000 or over a day after landing): ' || received_at"),
    ]) }}
{%- endmacro %}

{#- An identifier sent as a JSON value is a string or a number (an absent one is the
    missing-field checks' business). -#}
{% macro is_scalar_id(json_expr) -%}
    coalesce(json_type({{ json_expr }}) not in ('OBJECT', 'ARRAY', 'BOOLEAN'), true)
{%- endmacro %}

{#- A currency code, trimmed and upper-cased, is three letters (ISO 4217's shape). -#}
{% macro is_currency_code(text_expr) -%}
    regexp_full_match({{ text_expr }}, '[A-Z]{3}')
{%- endmacro %}
