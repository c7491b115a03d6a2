{#- The text parsed as JSON when it is a JSON array, else null (never an error). -#}
{% macro json_array_or_null(text_expr) -%}
    {{ return(adapter.dispatch('json_array_or_null', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__json_array_or_null(text_expr) -%}
    case when json_valid({{ text_expr }}) then
        case when json_type({{ text_expr }}) = 'ARRAY' then {{ text_expr }}::json end
    end
{%- endmacro %}
