{#- The segments a user defines in the seed segment_definitions, one row per segment and
    contact, judged at the latest event time in the data: the contact has at least
    min_events events of the listed types (event_types: canonical names separated by
    "|") in the last lookback_days days, on products that had, at the event, the
    category (if given), a price in [min_price, max_price] (the line's unit price, else
    the product's list price at the event; either bound may be empty), and the custom
    attribute attribute_name equal to attribute_value (if given; the attributes of the
    dim_products_history period holding the event). Rebuilt whole, from the facts. -#}
with

definitions as (
    select * from {{ ref('segment_definitions') }}
),

event_types as (
    select * from {{ ref('event_types') }}
),

events as (
    select * from {{ ref('fact_product_events') }}
),

periods as (
    select
        product_id,
        attributes,
        valid_from,
        valid_to
    from {{ ref('dim_products_history') }}
),

data_until as (
    select max(occurred_at) as judged_at from events
),

-- each definition with the IDs of its event types
definition_types as (
    select
        definitions.*,
        event_types.event_type_id
    from definitions
    inner join event_types
        on '|' || definitions.event_types || '|' like '%|' || event_types.event_type || '|%'
),

matched as (
    select
        definition_types.segment_id,
        definition_types.min_events,
        definition_types.attribute_name,
        definition_types.attribute_value,
        events.contact_id,
        events.source_system,
        events.product_id,
        events.occurred_at
    from definition_types
    cross join data_until
    inner join events
        on
            definition_types.event_type_id = events.event_type_id
            and events.occurred_at
            >= {{ dbt.dateadd('day', '-definition_types.lookback_days', 'data_until.judged_at') }}
    where
        (definition_types.category is null or events.product_category = definition_types.category)
        and (
            definition_types.min_price is null
            or coalesce(events.unit_price, events.list_price) >= definition_types.min_price
        )
        and (
            definition_types.max_price is null
            or coalesce(events.unit_price, events.list_price) <= definition_types.max_price
        )
),

-- the definitions with an attribute filter: the period of the product holding the event
with_attributes as (
    select matched.*
    from matched
    where matched.attribute_name is null
    union all
    select matched.*
    from matched
    inner join periods
        on
            matched.product_id = periods.product_id
            and matched.occurred_at >= periods.valid_from
            and (periods.valid_to is null or matched.occurred_at < periods.valid_to)
    where
        matched.attribute_name is not null
        and {{ json_text_at_key('periods.attributes', 'matched.attribute_name') }}
        = matched.attribute_value
),

final as (
    select
        segment_id,
        contact_id,
        source_system,
        max(occurred_at) as qualified_at,
        count(*) as event_count,
        max_by(product_id, occurred_at) as product_id
    from with_attributes
    group by segment_id, contact_id, source_system, min_events
    having count(*) >= min_events
)

select * from final
