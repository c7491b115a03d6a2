{#- The filter of a contact-keyed model's inputs: in an incremental run, only the rows
    of the contacts in contacts_touched(); in a full build, every row. -#}
{% macro only_touched_contacts(column='contact_id') -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ contacts_touched() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
