{#- The text parsed as JSON when it is a JSON array, else null (never an error). -#}
{% macro json_array_or_null(text_expr) -%}
    {{ return(adapter.dispatch('json_array_or_null', 'product_events')(text_expr)) }}
{%- endmacro %}

{% macro default__json_array_or_null(text_expr) -%}
    case when json_valid({{ text_expr }}) then
        {#- valid JSON is an array exactly when its first character after JSON whitespace
            is [: a prefix match, where json_type would parse the text once more #}
        case when regexp_matches({{ text_expr }}, '^[ \t\n\r]*[[]') then {{ text_expr }}::json end
    end
{%- endmacro %}
