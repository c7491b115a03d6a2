{#- Config of a model rebuilt per contact: an incremental run deletes and re-derives the
    rows of every contact in contacts_touched() (the model's first CTE,
    touched_contacts(); its inputs filter with only_touched_contacts(), or read
    identified_events()), and first drops rows still
    filed under a guest key that has since been stitched (delete_stitched_guest_rows).
    The refs register, at parse time, the dependencies those macros read at run time.
    touched_by: a condition on int_events_deduplicated naming the lines the model's rows
    come from, when not all (see contacts_touched). -#}
{% macro contact_keyed_incremental(touched_by=none) -%}
    {%- if not execute -%}
        {#- parse time only: a unit test, compiled at run time, has no such inputs -#}
        {%- do ref('int_events_deduplicated') -%}
        {%- do ref('int_contacts_stitched') -%}
    {%- endif -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='contact_id',
        on_schema_change='fail',
        pre_hook="{{ delete_stitched_guest_rows() }}",
        meta={'check_scope': 'contact', 'touched_by': touched_by},
    ) }}
{%- endmacro %}
