{#- The text read into typed fields (see json_parse) when it is a JSON object, else null
    (never an error): the text is parsed once here, not once per field. -#}
{% macro json_parse_object(text_expr, structure) -%}
    {{ return(adapter.dispatch('json_parse_object', 'product_events')(text_expr, structure)) }}
{%- endmacro %}

{% macro default__json_parse_object(text_expr, structure) -%}
    {#- valid JSON is an object exactly when its first character after JSON whitespace is {:
        a prefix match, where json_type would parse the text once more #}
    case when json_valid({{ text_expr }}) then
        case when regexp_matches({{ text_expr }}, '^[ \t\n\r]*[{]') then {{ json_parse(text_expr, structure) }} end
    end
{%- endmacro %}
