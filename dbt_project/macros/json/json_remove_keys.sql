{#- The JSON object without the given keys. -#}
{% macro json_remove_keys(json_expr, keys) -%}
    {{ return(adapter.dispatch('json_remove_keys', 'product_events')(json_expr, keys)) }}
{%- endmacro %}

{% macro default__json_remove_keys(json_expr, keys) -%}
    json_merge_patch({{ json_expr }}, json_object(
        {%- for key in keys %}'{{ key }}', null{{ ', ' if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}
