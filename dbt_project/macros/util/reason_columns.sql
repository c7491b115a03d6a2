{#- Render reason_code and reason_detail from one ordered list of checks, so each
    condition is written once. checks: list of (condition_sql, reason_code, detail_sql);
    the first condition that holds wins; no condition: both columns null (accepted). -#}
{% macro reason_columns(checks) -%}
    case
        {%- for condition, code, detail in checks %}
        when {{ condition }} then '{{ code }}'
        {%- endfor %}
    end as reason_code,
    case
        {%- for condition, code, detail in checks %}
        when {{ condition }} then {{ detail }}
        {%- endfor %}
    end as reason_detail
{%- endmacro %}
