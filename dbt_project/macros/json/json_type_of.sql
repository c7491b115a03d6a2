{#- JSON type name of a value: OBJECT, ARRAY, VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN, NULL. -#}
{% macro json_type_of(json_expr) -%}
    {{ return(adapter.dispatch('json_type_of', 'product_events')(json_expr)) }}
{%- endmacro %}

{% macro default__json_type_of(json_expr) -%}
    json_type({{ json_expr }})
{%- endmacro %}
