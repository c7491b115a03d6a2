{#- True when the text is only ASCII digits. -#}
{% macro is_digits(text_expr) -%}
    {{ return(adapter.dispatch('is_digits', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__is_digits(text_expr) -%}
    regexp_full_match({{ text_expr }}, '[0-9]+')
{%- endmacro %}
