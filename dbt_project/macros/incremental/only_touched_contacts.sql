{#- The contacts an incremental run of a contact-keyed model rebuilds, as the CTE
    `touched_contacts`, kept whole (materialized(): the set is small beside the model's
    inputs, and the engine must know it); written first in the model's `with`, before
    any CTE that filters by it. Nothing in a full build. `union_with`: SQL of more
    contacts the model rebuilds (one column, contact_id). -#}
{% macro touched_contacts(union_with=none) -%}
    {%- if is_incremental() %}
touched_contacts as {{ materialized() }} (
    {{ contacts_touched() }}
    {%- if union_with %}
    union
    {{ union_with }}
    {%- endif %}
),
    {%- endif %}
{%- endmacro %}


{#- The filter of a contact-keyed model's inputs: in an incremental run, only the rows
    of the contacts in touched_contacts; in a full build, every row. -#}
{% macro only_touched_contacts(column='contact_id') -%}
    {%- if is_incremental() -%}
        {{ column }} in (select touched_contacts.contact_id from touched_contacts)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
