{#- How many objects of a parsed list (json_parse of [structure]) have a 'json' field
    that is a string or a number (not an object, an array, a boolean or absent). -#}
{% macro json_list_count_scalar(list_expr, field) -%}
    len(list_filter({{ json_list_field(list_expr, field) }},
        lambda v: json_type(v) not in ('OBJECT', 'ARRAY', 'BOOLEAN')))
{%- endmacro %}
