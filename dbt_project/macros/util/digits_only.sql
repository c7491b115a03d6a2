{#- The text with every non-digit removed (phone normalisation). -#}
{% macro digits_only(text_expr) -%}
    {{ return(adapter.dispatch('digits_only', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__digits_only(text_expr) -%}
    regexp_replace({{ text_expr }}, '[^0-9]', '', 'g')
{%- endmacro %}
