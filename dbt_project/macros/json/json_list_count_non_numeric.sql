{#- How many objects of a parsed list (list_expr, the json_parse of the JSON array
    json_expr) have a 'json' field present but not a finite number: text, a JSON null,
    and also NaN, Infinity and numbers that overflow a double (DuckDB's JSON reader
    takes them). Null when list_expr is null. -#}
{% macro json_list_count_non_numeric(list_expr, json_expr, field) -%}
    {{ return(adapter.dispatch('json_list_count_non_numeric', 'product_events')(list_expr, json_expr, field)) }}
{%- endmacro %}

{% macro default__json_list_count_non_numeric(list_expr, json_expr, field) -%}
    case
        when {{ list_expr }} is null then null
        {#- every object has a value, or the text holds no null at all: no JSON null among the
            values, so the values present are the non-null ones #}
        when list_count({{ json_list_field(list_expr, field) }}) = len({{ list_expr }})
            or not contains(cast({{ json_expr }} as varchar), 'null')
            then list_count({{ json_list_field(list_expr, field) }})
                - len(list_filter(try_cast({{ json_list_field(list_expr, field) }} as double[]), lambda v: isfinite(v)))
        {#- an absent key and a JSON null both parse to null: only the JSON text tells them apart #}
        else len(json_extract({{ json_expr }}, '$[*].{{ field }}'))
            - len(list_filter(try_cast(json_extract({{ json_expr }}, '$[*].{{ field }}') as double[]), lambda v: isfinite(v)))
    end
{%- endmacro %}
