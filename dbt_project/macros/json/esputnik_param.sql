{#- The value of the first eSputnik param with this name (null when absent). params_list:
    the parsed [{name, value}] list; param_names: json_list_field(params_list, 'name'),
    computed once per row rather than once per name. -#}
{% macro esputnik_param(params_list, param_names, name) -%}
    {{ return(adapter.dispatch('esputnik_param', 'product_events')(params_list, param_names, name)) }}
{%- endmacro %}

{% macro default__esputnik_param(params_list, param_names, name) -%}
    {{ params_list }}[list_position({{ param_names }}, '{{ name }}')].value
{%- endmacro %}
