{#- The landed lines of one source, with what every staging model needs first: the
    content hash (repeat deliveries) and the line read once into the fields the model
    uses (`line`, a struct, see json_parse; null when the line is not a JSON object). -#}
{% macro landed_lines(table_name, structure) -%}
    select
        raw_file,
        raw_line_no,
        raw_line,
        coalesce(is_invalid_utf8, false) as is_invalid_utf8,
        file_sha256,
        loaded_at,
        {{ landed_line_hash() }} as line_hash,
        {{ json_parse_object('raw_line', structure) }} as line
    from {{ source('raw', table_name) }}
{%- endmacro %}

{#- The content hash of a landed line: the same line, trimmed, delivered twice has one
    hash. `content`: the column that already holds the trimmed line, if any. -#}
{% macro landed_line_hash(content=none) -%}
    {{ sha256_hex(content or landed_line_content()) }}
{%- endmacro %}

{#- A 64-bit hash of the same content, to find the few lines that may repeat with a
    narrow, cheap key (equal lines have equal hashes; equal hashes are checked with
    landed_line_hash). Within one query only: never stored. -#}
{% macro landed_line_bucket() -%}
    {{ hash64(landed_line_content()) }}
{%- endmacro %}

{#- What is hashed: the line, trimmed. -#}
{% macro landed_line_content() -%}
    {#- trim reads the whole line; one that starts with { and ends with } has nothing to trim -#}
    {{- "case when raw_line like '{%}' then raw_line else trim(raw_line) end" -}}
{%- endmacro %}
