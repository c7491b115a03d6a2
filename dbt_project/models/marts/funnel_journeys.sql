{#- Funnel journeys view -> cart -> purchase, the step logic both funnel marts share.

    Two kinds of journey, one logic:
    - daily: a contact's first view-stage event of a UTC day starts it; any product's
      cart and purchase count (scope: the contact);
    - product: a contact's first view of a product starts it; only that product's cart
      and purchase count (scope: the contact and the product).
    A step counts when it happens at or after the previous step and at most
    `funnel_window_hours` after the journey's start. Stage membership comes from the
    seed event_types (funnel_stage).

    One aggregation per kind, no join between journeys and events: each scope's cart
    and purchase times are collected into a list (collect_where), and a journey's step
    is the smallest time in the list inside its bounds (list_aggregate_where). A product
    journey's lists are that (contact, product)'s own; a daily journey reads its
    contact's lists, so the work is (days the contact viewed) x (its cart and purchase
    events): linear in events for any contact with a bounded number of active days.
    Incremental per contact (contact_keyed_incremental): a journey never spans two
    contacts. -#}
{%- set window_hours = var('funnel_window_hours') %}
{%- set window_end = dbt.dateadd('hour', window_hours, 'started_at') %}
{{ contact_keyed_incremental() }}
with
{{ touched_contacts() }}

event_types as (
    select * from {{ ref('event_types') }}
),

-- read by the journeys' three parts, each with its own filter: inlined (not_materialized)
staged as {{ not_materialized() }} (
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

-- daily scope: the journeys, and each contact's cart and purchase times
daily_journeys as (
    select
        contact_id,
        cast(occurred_at as date) as funnel_date,
        any_value(source_system) as source_system,
        min(occurred_at) as started_at,
        max(loaded_at) as loaded_at
    from staged
    where funnel_stage = 'view'
    group by contact_id, cast(occurred_at as date)
),

contact_steps as (
    select
        contact_id,
        {{ collect_where('occurred_at', "funnel_stage = 'cart'") }} as cart_times,
        {{ collect_where('occurred_at', "funnel_stage = 'purchase'") }} as purchase_times
    from staged
    where funnel_stage in ('cart', 'purchase')
    group by contact_id
),

daily_carted as (
    select
        daily_journeys.*,
        contact_steps.purchase_times,
        {{ list_aggregate_where(
            'min', 'contact_steps.cart_times', 'cart_at',
            'cart_at >= daily_journeys.started_at and cart_at <= '
            ~ dbt.dateadd('hour', window_hours, 'daily_journeys.started_at')) }} as carted_at
    from daily_journeys
    left join contact_steps
        on daily_journeys.contact_id = contact_steps.contact_id
),

daily_stepped as (
    select
        'daily' as journey_kind,
        contact_id as scope_key,
        contact_id,
        source_system,
        cast(null as varchar) as product_id,
        funnel_date,
        cast(null as double) as revenue,
        started_at,
        carted_at,
        {{ list_aggregate_where(
            'min', 'purchase_times', 'purchase_at',
            'purchase_at >= carted_at and purchase_at <= ' ~ window_end) }} as purchased_at,
        loaded_at
    from daily_carted
),

-- product scope: one group per (contact, product) holds the journey and its steps
product_journeys as (
    select
        contact_id,
        product_id,
        any_value(source_system) as source_system,
        min(occurred_at) filter (where funnel_stage = 'view') as started_at,
        max(loaded_at) filter (where funnel_stage = 'view') as loaded_at,
        {{ collect_where('occurred_at', "funnel_stage = 'cart'") }} as cart_times,
        {{ collect_where(
            "struct_pack(purchase_at := occurred_at, line_value := line_value)",
            "funnel_stage = 'purchase'") }} as purchases
    from staged
    group by contact_id, product_id
    having count(*) filter (where funnel_stage = 'view') > 0
),

product_carted as (
    select
        *,
        {{ list_aggregate_where(
            'min', 'cart_times', 'cart_at',
            'cart_at >= started_at and cart_at <= ' ~ window_end) }} as carted_at
    from product_journeys
),

product_purchased as (
    select
        *,
        {{ list_aggregate_where(
            'min', 'purchases', 'purchase',
            'purchase.purchase_at >= carted_at and purchase.purchase_at <= ' ~ window_end,
            'purchase.purchase_at') }} as purchased_at
    from product_carted
),

-- revenue of a converted product journey: that product's purchase lines from the
-- purchase step to the end of the window
product_stepped as (
    select
        'product' as journey_kind,
        contact_id || '|' || product_id as scope_key,
        contact_id,
        source_system,
        product_id,
        cast(null as date) as funnel_date,
        {{ list_aggregate_where(
            'sum', 'purchases', 'purchase',
            'purchase.purchase_at >= purchased_at and purchase.purchase_at <= ' ~ window_end,
            'purchase.line_value') }} as revenue,
        started_at,
        carted_at,
        purchased_at,
        loaded_at
    from product_purchased
),

stepped as (
    select * from daily_stepped
    union all
    select * from product_stepped
),

final as (
    select
        {{ surrogate_key(['journey_kind', 'scope_key', 'funnel_date']) }} as journey_id,
        journey_kind,
        contact_id,
        source_system,
        product_id,
        funnel_date,
        revenue,
        {{ hours_between('started_at', 'carted_at') }} as hours_view_to_cart,
        {{ hours_between('carted_at', 'purchased_at') }} as hours_cart_to_purchase,
        started_at,
        carted_at,
        purchased_at,
        loaded_at
    from stepped
)

select * from final
