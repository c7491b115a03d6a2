{#- The position (1-based) of the first check whose condition holds, null when none
    does. Computed once per row in a CTE, so each condition is evaluated once, and
    reason_columns reads both verdict columns from it. checks: see reason_columns. -#}
{% macro first_failing_check(checks) -%}
    case
        {%- for condition, code, detail in checks %}
        when {{ condition }} then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
