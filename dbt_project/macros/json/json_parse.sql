{#- A JSON value read once into typed fields, so a model reads struct fields instead of
    re-parsing the text for every field it needs. structure: a dict of key -> 'json'
    (the value kept as JSON), 'text' (strings unquoted, other values as their JSON
    text), a nested dict, or [dict] for a list of objects; a list of objects is
    [structure] itself. Never an error on a valid JSON value: an absent key, a JSON null
    and a value of another shape all read as null (so 'json' and 'text' fields cannot
    tell an absent key from a JSON null; ask json_get where that matters). -#}
{% macro json_parse(json_expr, structure) -%}
    {{ return(adapter.dispatch('json_parse', 'product_events')(json_expr, structure)) }}
{%- endmacro %}

{% macro default__json_parse(json_expr, structure) -%}
    from_json({{ json_expr }}, '{{ json_structure(structure) }}')
{%- endmacro %}
