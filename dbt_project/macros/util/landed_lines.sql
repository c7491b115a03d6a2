{#- The landed lines of one source, with what every staging model needs first: the
    content hash (repeat deliveries) and the line as JSON when it is a JSON object. -#}
{% macro landed_lines(table_name) -%}
    select
        raw_file,
        raw_line_no,
        raw_line,
        file_sha256,
        loaded_at,
        {{ sha256_hex('trim(raw_line)') }} as line_hash,
        {{ json_object_or_null('raw_line') }} as line_json
    from {{ source('raw', table_name) }}
{%- endmacro %}
