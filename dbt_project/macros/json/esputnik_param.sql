{#- The value of the first eSputnik param with this name (null when absent). -#}
{% macro esputnik_param(params_list, name) -%}
    {{ return(adapter.dispatch('esputnik_param', 'product_events')(params_list, name)) }}
{%- endmacro %}

{% macro default__esputnik_param(params_list, name) -%}
    list_filter({{ params_list }}, lambda p: p.name = '{{ name }}')[1].value
{%- endmacro %}
