{#- int_events_identified as a contact-keyed reader names it in `from`, aliased `alias`:
    in a full build, the view; in an incremental run, the view's SQL with the stitched
    contacts cut to the model's touched_contacts before its joins (filtering the view's
    output instead joined every accepted line with every contact first: the product
    lines of a 10 M warehouse's incremental day took 3.2 s that way, 2.0 s this way). -#}
{% macro identified_events(alias) -%}
    {#- refs made unconditionally, so that every reader depends at parse time on what
        the view's SQL reads when it is inlined -#}
    {%- do ref('event_types') -%}
    {%- do ref('int_usercom_carts_numbered') -%}
    {%- if is_incremental() -%}
        ({{ events_identified(only_touched_contacts()) }}) as {{ alias }}
    {%- else -%}
        {{ ref('int_events_identified') }} as {{ alias }}
    {%- endif -%}
{%- endmacro %}
