{#- A deterministic key: md5 of the values joined by '|' (nulls as empty text). -#}
{% macro surrogate_key(expressions) -%}
    {{ return(adapter.dispatch('surrogate_key', 'product_events')(expressions)) }}
{%- endmacro %}

{% macro default__surrogate_key(expressions) -%}
    md5(concat_ws('|'
        {%- for expression in expressions %}, coalesce(cast({{ expression }} as varchar), ''){% endfor -%}
    ))
{%- endmacro %}
