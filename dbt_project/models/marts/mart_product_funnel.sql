{#- Per product: contacts who viewed it (journey start: their first view of it), who then
    carted it and bought it within the funnel window (same product at every step), the
    rates, the median hours between steps and the revenue of the converted journeys. -#}
with

journeys as (
    select * from {{ ref('funnel_journeys') }}
    where journey_kind = 'product'
),

final as (
    select
        product_id,
        {{ funnel_step_columns() }},
        coalesce(sum(revenue), 0) as revenue
    from journeys
    group by product_id
)

select * from final
