{#- Select-list expression: one row per (name, expression) pair of `columns`, as a
    struct {name_alias: the name, value_alias: the expression's value as text}; the
    other columns of the row repeat. One scan instead of one union branch per column. -#}
{% macro unpivot_to_struct(columns, name_alias, value_alias) -%}
    {{ return(adapter.dispatch('unpivot_to_struct', 'product_events')(columns, name_alias, value_alias)) }}
{%- endmacro %}

{% macro default__unpivot_to_struct(columns, name_alias, value_alias) -%}
    unnest([
        {%- for name, expression in columns %}
        struct_pack({{ name_alias }} := '{{ name }}', {{ value_alias }} := cast({{ expression }} as varchar))
        {{- ',' if not loop.last }}
        {%- endfor %}
    ])
{%- endmacro %}
