{#- Per UTC day and source: contacts whose journey started that day (first view-stage
    event), how many reached the cart and purchase steps within the funnel window,
    the conversion rates (fractions, null when the denominator is 0) and the median
    hours between steps. -#}
with

journeys as (
    select * from {{ ref('funnel_journeys') }}
    where journey_kind = 'daily'
),

final as (
    select
        {{ surrogate_key(['funnel_date', 'source_system']) }} as funnel_day_id,
        funnel_date,
        source_system,
        {{ funnel_step_columns() }}
    from journeys
    group by funnel_date, source_system
)

select * from final
