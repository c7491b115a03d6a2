{#- Select-list expressions: one row per key of a JSON object, as `<key_alias>` (text)
    and `<value_alias>` (JSON). -#}
{% macro json_object_entries(json_expr, key_alias, value_alias) -%}
    {{ return(adapter.dispatch('json_object_entries', 'product_events')(json_expr, key_alias, value_alias)) }}
{%- endmacro %}

{% macro default__json_object_entries(json_expr, key_alias, value_alias) -%}
    unnest(map_keys(cast({{ json_expr }} as map(varchar, json)))) as {{ key_alias }},
    unnest(map_values(cast({{ json_expr }} as map(varchar, json)))) as {{ value_alias }}
{%- endmacro %}
