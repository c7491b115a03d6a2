{#- For every product and attribute, the periods (runs) in which the attribute held one
    value: latest by occurred_at (ties: received_at, raw_file, raw_line_no, line
    position), so an older event loaded later never overwrites a newer value. Only
    non-null values count. The values per instant: macros/products/product_attribute_values.

    Incremental per (product, attribute): the pair's earlier runs are points of the
    timeline (each at its start, carrying its last observed instant) and the new values
    join them, so the runs go on from where they stopped. That holds when every new
    value comes after the last instant already seen (the usual case), and also for a
    late value equal to the value of the run it falls inside: it changes no run (only
    that run's loaded_at), whichever line wins its instant. A pair with any other
    late value (one that would split a run, move a boundary or come before the first
    run) is recomputed from all the lines of its product. Either way the result is what
    a full build gives (tested). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['product_id', 'attribute_name'],
    on_schema_change='fail',
) }}
with

-- read three times, each with its own filter: inlined (not_materialized)
lines as {{ not_materialized() }} (
    select * from {{ ref('int_product_lines_unnested') }}
    {#- not watermark(): its unit tests give `this` as rows (a CTE), which a query run
        while compiling cannot read -#}
    {% if is_incremental() %}
        where loaded_at > (
            select coalesce(max(loaded_at), cast('1900-01-01' as timestamp)) from {{ this }}
        )
    {% endif %}
),

new_values as (
    {{ product_attribute_values('lines') }}
),

{% if is_incremental() %}
    touched as (
        select distinct
            product_id,
            attribute_name
        from new_values
    ),

    earlier_runs as (
        select earlier.*
        from {{ this }} as earlier
        inner join touched
            on
                earlier.product_id = touched.product_id
                and earlier.attribute_name = touched.attribute_name
    ),

    -- pairs with a new value at or before their last instant seen that is not the
    -- value of the run holding all of its instants (a point spans first to last)
    seen as (
        select
            product_id,
            attribute_name,
            max(last_observed_at) as last_observed_at
        from earlier_runs
        group by product_id, attribute_name
    ),

    late_pairs as (
        select distinct
            new_values.product_id,
            new_values.attribute_name
        from new_values
        inner join seen
            on
                new_values.product_id = seen.product_id
                and new_values.attribute_name = seen.attribute_name
        where
            new_values.occurred_at <= seen.last_observed_at
            and not exists (
                select 1
                from earlier_runs as holding
                where
                    holding.product_id = new_values.product_id
                    and holding.attribute_name = new_values.attribute_name
                    and holding.attribute_value = new_values.attribute_value
                    and holding.valid_from <= new_values.occurred_at
                    and (holding.valid_to is null or new_values.last_observed_at < holding.valid_to)
            )
    ),

    late_product_lines as (
        select * from {{ ref('int_product_lines_unnested') }}
        where product_id in (select product_id from late_pairs)
    ),

    all_values as (
        {{ product_attribute_values('late_product_lines') }}
    ),

    replayed_values as (
        select all_values.*
        from all_values
        inner join late_pairs
            on
                all_values.product_id = late_pairs.product_id
                and all_values.attribute_name = late_pairs.attribute_name
    ),
{% endif %}

-- one point per instant (or per earlier run) on each pair's timeline
timeline as (
    {% if is_incremental() %}
        select
            earlier_runs.product_id,
            earlier_runs.attribute_name,
            earlier_runs.attribute_value,
            earlier_runs.valid_from as occurred_at,
            earlier_runs.last_observed_at,
            earlier_runs.loaded_at
        from earlier_runs
        left join late_pairs
            on
                earlier_runs.product_id = late_pairs.product_id
                and earlier_runs.attribute_name = late_pairs.attribute_name
        where late_pairs.product_id is null
        union all
        select
            new_values.product_id,
            new_values.attribute_name,
            new_values.attribute_value,
            new_values.occurred_at,
            new_values.last_observed_at,
            new_values.loaded_at
        from new_values
        left join late_pairs
            on
                new_values.product_id = late_pairs.product_id
                and new_values.attribute_name = late_pairs.attribute_name
        where late_pairs.product_id is null
        union all
        select
            product_id,
            attribute_name,
            attribute_value,
            occurred_at,
            last_observed_at,
            loaded_at
        from replayed_values
    {% else %}
        select
            product_id,
            attribute_name,
            attribute_value,
            occurred_at,
            last_observed_at,
            loaded_at
        from new_values
    {% endif %}
),

with_previous as (
    select
        *,
        lag(attribute_value) over (
            partition by product_id, attribute_name order by occurred_at
        ) as previous_value
    from timeline
),

numbered as (
    select
        *,
        sum(
            case when previous_value is null or previous_value <> attribute_value then 1 else 0 end
        ) over (
            partition by product_id, attribute_name
            order by occurred_at
            rows between unbounded preceding and current row
        ) as run_no
    from with_previous
),

runs as (
    select
        product_id,
        attribute_name,
        run_no,
        any_value(attribute_value) as attribute_value,
        min(occurred_at) as valid_from,
        max(last_observed_at) as last_observed_at,
        max(loaded_at) as loaded_at
    from numbered
    group by product_id, attribute_name, run_no
),

final as (
    select
        product_id,
        attribute_name,
        attribute_value,
        valid_from,
        lead(valid_from) over (
            partition by product_id, attribute_name order by valid_from
        ) as valid_to,
        last_observed_at,
        loaded_at
    from runs
)

select * from final
