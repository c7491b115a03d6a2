{#- A CONTRACT timestamp as a UTC timestamp; null when it is not one. text_expr: the
    value as text (json_parse's 'text': a string unquoted, a number as its JSON text),
    so the JSON is not parsed again here. Accepted: an ISO-8601 string (with Z or a UTC
    offset within ±14:00; a named zone is converted), or a finite number of epoch
    seconds, or of epoch milliseconds above 10^11, up to the end of year 9999 (a digit
    string too). A word DuckDB would read ('epoch', 'infinity', 'now'), an object or a
    boolean is not a timestamp. Whether a timestamp is plausible is the caller's rule. -#}
{% macro parse_event_timestamp(text_expr) -%}
    {{ return(adapter.dispatch('parse_event_timestamp', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__parse_event_timestamp(text_expr) -%}
    {%- set text = text_expr %}
    case
        when regexp_full_match({{ text }}, '[0-9]+(\.[0-9]+)?([eE]\+?[0-9]+)?')
            then case
                {#- overflow (1e309) or beyond 9999-12-31T23:59:59.999 in ms #}
                when not try_cast({{ text }} as double) <= 253402300799999
                    then null
                when try_cast({{ text }} as double) > 1e11
                    then make_timestamp(cast(try_cast({{ text }} as double) * 1000 as bigint))
                else make_timestamp(cast(try_cast({{ text }} as double) * 1000000 as bigint))
            end
        when not left(ltrim({{ text }}), 1) between '0' and '9' then null
        when not isfinite(try_cast({{ text }} as timestamptz)) then null
        {#- DuckDB takes any offset. ±HH:MM, the usual form, is read from the text;
            another (±HHMM, ±HH, a zone name) as the local time less UTC #}
        when suffix({{ text }}, 'Z') then timezone('UTC', try_cast({{ text }} as timestamptz))
        when substr({{ text }}, -6, 1) in ('+', '-') and substr({{ text }}, -3, 1) = ':'
            then case
                when try_cast(substr({{ text }}, -5, 2) as integer) * 60
                    + try_cast(substr({{ text }}, -2, 2) as integer) <= 14 * 60
                    then timezone('UTC', try_cast({{ text }} as timestamptz))
            end
        when abs(epoch(try_cast({{ text }} as timestamp))
                - epoch(timezone('UTC', try_cast({{ text }} as timestamptz)))) > 14 * 3600
            then null
        else timezone('UTC', try_cast({{ text }} as timestamptz))
    end
{%- endmacro %}
