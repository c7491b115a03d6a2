{#- The engine's spelling of a json_parse structure (DuckDB: a from_json structure). -#}
{% macro json_structure(structure) -%}
    {{ return(adapter.dispatch('json_structure', 'product_events')(structure)) }}
{%- endmacro %}

{% macro default__json_structure(structure) -%}
    {%- if structure is mapping -%}
        {{ '{' }}
        {%- for key, value in structure.items() -%}
            "{{ key }}":{{ default__json_structure(value) }}{{ ',' if not loop.last }}
        {%- endfor -%}
        {{ '}' }}
    {%- elif structure is string -%}
        {%- if structure == 'json' -%}
            "JSON"
        {%- elif structure == 'text' -%}
            "VARCHAR"
        {%- else -%}
            {{ exceptions.raise_compiler_error("json_structure: unknown leaf type " ~ structure) }}
        {%- endif -%}
    {%- else -%}
        [{{ default__json_structure(structure[0]) }}]
    {%- endif -%}
{%- endmacro %}
