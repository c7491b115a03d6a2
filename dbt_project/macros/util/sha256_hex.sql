{#- Hex SHA-256 of a text. -#}
{% macro sha256_hex(text_expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(text_expr) -%}
    sha256({{ text_expr }})
{%- endmacro %}
