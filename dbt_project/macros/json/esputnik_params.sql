{#- eSputnik params [{name, value}] as a list; values (strings, numbers or JSON) as text. -#}
{% macro esputnik_params(params_json) -%}
    {{ return(adapter.dispatch('esputnik_params', 'product_events')(params_json)) }}
{%- endmacro %}

{% macro default__esputnik_params(params_json) -%}
    try_cast({{ params_json }} as struct(name varchar, value varchar)[])
{%- endmacro %}
