{#- A CONTRACT timestamp (ISO-8601 with Z or offset, epoch s, epoch ms above 10^11) as a UTC timestamp; null when unreadable. -#}
{% macro parse_event_timestamp(json_expr) -%}
    {{ return(adapter.dispatch('parse_event_timestamp', 'product_events')(json_expr)) }}
{%- endmacro %}

{% macro default__parse_event_timestamp(json_expr) -%}
    case
        when json_type({{ json_expr }}) in ('UBIGINT', 'BIGINT', 'DOUBLE')
            or (json_type({{ json_expr }}) = 'VARCHAR'
                and regexp_full_match(json_extract_string({{ json_expr }}, '$'), '[0-9]+(\.[0-9]+)?'))
            then case
                {#- beyond year ~5000 in ms: not a timestamp (and would overflow) #}
                when not try_cast(json_extract_string({{ json_expr }}, '$') as double) between 0 and 1e14
                    then null
                when try_cast(json_extract_string({{ json_expr }}, '$') as double) > 1e11
                    then make_timestamp(cast(try_cast(json_extract_string({{ json_expr }}, '$') as double) * 1000 as bigint))
                else make_timestamp(cast(try_cast(json_extract_string({{ json_expr }}, '$') as double) * 1000000 as bigint))
            end
        when json_type({{ json_expr }}) = 'VARCHAR'
            then case
                when isfinite(try_cast(json_extract_string({{ json_expr }}, '$') as timestamptz))
                    then timezone('UTC', try_cast(json_extract_string({{ json_expr }}, '$') as timestamptz))
            end
    end
{%- endmacro %}
