{#- For each anchor row, the time of the first event at or after the anchor's time in
    the same partition: anchors and events sorted together on one timeline (an anchor
    sorts before an event at the same instant, so same-second events count), then the
    smallest event time in the rest of the partition. O(n log n); no join between
    every anchor and every event.

    anchors / events: relations (CTE names); partition_by: columns both have;
    carry: anchor columns to return alongside (identify the anchor);
    returns: partition_by, carry, next_at. -#}
{% macro first_event_at_or_after(anchors, anchor_at, events, event_at, partition_by, carry) -%}
    select
        {{ (partition_by + carry) | join(', ') }},
        next_at
    from (
        select
            {{ (partition_by + carry) | join(', ') }},
            sort_order,
            min(event_at) over (
                partition by {{ partition_by | join(', ') }}
                order by step_at, sort_order
                rows between current row and unbounded following
            ) as next_at
        from (
            select
                {{ (partition_by + carry) | join(', ') }},
                {{ anchor_at }} as step_at,
                0 as sort_order,
                cast(null as timestamp) as event_at
            from {{ anchors }}
            union all
            select
                {{ partition_by | join(', ') }},
                {%- for column in carry %}
                null as {{ column }},
                {%- endfor %}
                {{ event_at }} as step_at,
                1 as sort_order,
                {{ event_at }} as event_at
            from {{ events }}
        ) as timeline
    ) as scanned
    where sort_order = 0
{%- endmacro %}
