{#- Funnel journeys view -> cart -> purchase, the step logic both funnel marts share.

    Two kinds of journey, one logic:
    - daily: a contact's first view-stage event of a UTC day starts it; any product's
      cart and purchase count (scope: the contact);
    - product: a contact's first view of a product starts it; only that product's cart
      and purchase count (scope: the contact and the product).
    A step counts when it happens at or after the previous step and at most
    `funnel_window_hours` after the journey's start. Stage membership comes from the
    seed event_types (funnel_stage).

    "The first cart at or after the start" (and the first purchase at or after the cart
    step) is macros/util/first_event_at_or_after.sql: a window over the scope's timeline,
    O(n log n), no per-contact cross join. Incremental per contact
    (contact_keyed_incremental): a journey never spans two contacts. -#}
{%- set window_hours = var('funnel_window_hours') %}
{{ contact_keyed_incremental() }}
with

event_types as (
    select * from {{ ref('event_types') }}
),

staged as (
    select
        facts.contact_id,
        facts.source_system,
        facts.product_id,
        event_types.funnel_stage,
        facts.occurred_at,
        facts.quantity * facts.unit_price as line_value,
        facts.loaded_at
    from {{ ref('fact_product_events') }} as facts
    inner join event_types
        on facts.event_type_id = event_types.event_type_id
    where
        event_types.funnel_stage is not null
        and {{ only_touched_contacts('facts.contact_id') }}
),

-- every stage event in both scopes
scoped as (
    select
        'daily' as journey_kind,
        contact_id as scope_key,
        *
    from staged
    union all
    select
        'product' as journey_kind,
        contact_id || '|' || product_id as scope_key,
        *
    from staged
),

journeys as (
    select
        journey_kind,
        scope_key,
        contact_id,
        source_system,
        case when journey_kind = 'daily' then cast(occurred_at as date) end as funnel_date,
        case when journey_kind = 'product' then product_id end as product_id,
        min(occurred_at) as started_at,
        max(loaded_at) as loaded_at
    from scoped
    where funnel_stage = 'view'
    group by all
),

keyed_journeys as (
    select
        {{ surrogate_key(['journey_kind', 'scope_key', 'funnel_date']) }} as journey_id,
        *
    from journeys
),

cart_events as (
    select * from scoped
    where funnel_stage = 'cart'
),

next_cart as (
    {{ first_event_at_or_after(
        'keyed_journeys', 'started_at', 'cart_events', 'occurred_at',
        ['journey_kind', 'scope_key'], ['journey_id']) }}
),

carted as (
    select
        keyed_journeys.*,
        case
            when next_cart.next_at <= {{ add_hours('keyed_journeys.started_at', window_hours) }}
                then next_cart.next_at
        end as carted_at
    from keyed_journeys
    inner join next_cart
        on keyed_journeys.journey_id = next_cart.journey_id
),

purchase_events as (
    select * from scoped
    where funnel_stage = 'purchase'
),

carted_journeys as (
    select * from carted
    where carted_at is not null
),

next_purchase as (
    {{ first_event_at_or_after(
        'carted_journeys', 'carted_at', 'purchase_events', 'occurred_at',
        ['journey_kind', 'scope_key'], ['journey_id']) }}
),

stepped as (
    select
        carted.*,
        case
            when next_purchase.next_at <= {{ add_hours('carted.started_at', window_hours) }}
                then next_purchase.next_at
        end as purchased_at
    from carted
    left join next_purchase
        on carted.journey_id = next_purchase.journey_id
),

-- revenue of a converted product journey: that product's purchase lines from the
-- purchase step to the end of the window (one product journey per scope: a plain join)
revenue as (
    select
        stepped.scope_key,
        sum(scoped.line_value) as revenue
    from stepped
    inner join scoped
        on
            stepped.scope_key = scoped.scope_key
            and scoped.journey_kind = 'product'
            and scoped.funnel_stage = 'purchase'
            and stepped.purchased_at <= scoped.occurred_at
            and {{ add_hours('stepped.started_at', window_hours) }} >= scoped.occurred_at
    where stepped.journey_kind = 'product'
    group by stepped.scope_key
),

final as (
    select
        stepped.journey_id,
        stepped.journey_kind,
        stepped.contact_id,
        stepped.source_system,
        stepped.product_id,
        stepped.funnel_date,
        revenue.revenue,
        {{ hours_between('stepped.started_at', 'stepped.carted_at') }} as hours_view_to_cart,
        {{ hours_between('stepped.carted_at', 'stepped.purchased_at') }} as hours_cart_to_purchase,
        stepped.started_at,
        stepped.carted_at,
        stepped.purchased_at,
        stepped.loaded_at
    from stepped
    left join revenue
        on
            stepped.scope_key = revenue.scope_key
            and stepped.journey_kind = 'product'
)

select * from final
