{#- The text read into typed fields (see json_parse) when it is a JSON object, else null
    (never an error): the text is parsed once here, not once per field. -#}
{% macro json_parse_object(text_expr, structure) -%}
    {{ return(adapter.dispatch('json_parse_object', 'product_events')(text_expr, structure)) }}
{%- endmacro %}

{% macro default__json_parse_object(text_expr, structure) -%}
    case when json_valid({{ text_expr }}) then
        case when json_type({{ text_expr }}) = 'OBJECT' then {{ json_parse(text_expr, structure) }} end
    end
{%- endmacro %}
