{#- Custom schemas are used as given (staging, intermediate, reference), not prefixed
    with the target schema; models without one land in the target schema (main), so
    the published tables keep their contract names: main.fact_product_events, ... -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
