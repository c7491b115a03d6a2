{#- The values at several top-level keys of one JSON object, as a list of text in the
    order of `keys` (null where absent); pick one with list_at. One parse of the object
    instead of one per key. -#}
{% macro json_get_texts(json_expr, keys) -%}
    {{ return(adapter.dispatch('json_get_texts', 'product_events')(json_expr, keys)) }}
{%- endmacro %}

{% macro default__json_get_texts(json_expr, keys) -%}
    json_extract_string({{ json_expr }}, [
        {%- for key in keys %}'$.{{ key }}'{{ ', ' if not loop.last }}{% endfor -%}
    ])
{%- endmacro %}
