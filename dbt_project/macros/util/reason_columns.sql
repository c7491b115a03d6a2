{#- Render reason_code and reason_detail from one ordered list of checks, so each
    condition is written once. checks: list of (condition_sql, reason_code, detail_sql);
    the first condition that holds wins; no condition: both columns null (accepted).
    failed_check: the column holding first_failing_check(checks), so no condition is
    evaluated twice (a detail only for the rows it describes). -#}
{% macro reason_columns(checks, failed_check) -%}
    case {{ failed_check }}
        {%- for condition, code, detail in checks %}
        when {{ loop.index }} then '{{ code }}'
        {%- endfor %}
    end as reason_code,
    case {{ failed_check }}
        {%- for condition, code, detail in checks %}
        when {{ loop.index }} then {{ detail }}
        {%- endfor %}
    end as reason_detail
{%- endmacro %}
