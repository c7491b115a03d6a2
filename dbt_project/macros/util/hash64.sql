{#- A 64-bit hash of a text, for grouping within one query only: the engine's own
    function, not stable across engines or versions, so never stored. -#}
{% macro hash64(text_expr) -%}
    {{ return(adapter.dispatch('hash64', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__hash64(text_expr) -%}
    hash({{ text_expr }})
{%- endmacro %}
