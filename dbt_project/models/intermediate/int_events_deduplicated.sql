{#- Every landed line of every source with its outcome: accepted, duplicate (the same
    line, trimmed, already delivered earlier in landing order) or rejected.

    Append-only incremental: landed lines never change and a new batch always comes
    later in landing order, so earlier outcomes stay true. A run parses only the lines
    landed since the last one (the loaded_at filter reaches through the staging views
    to the landing tables) and looks up their hashes among the lines already judged.
    The raw line is kept only where it is needed: for rejected lines (quarantine). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}
with

usercom as (
    select * from {{ ref('stg_usercom__events') }}
),

esputnik as (
    select * from {{ ref('stg_esputnik__events') }}
),

insend as (
    select * from {{ ref('stg_insend__events') }}
),

unioned as (
    select * from usercom
    union all
    select * from esputnik
    union all
    select * from insend
),

new_lines as (
    select * from unioned
    {% if is_incremental() %}
        where loaded_at > {{ watermark() }}
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by source_system, line_hash
            order by loaded_at, raw_file, raw_line_no
        ) as delivery_in_batch
    from new_lines
),

{% if is_incremental() %}
    earlier_deliveries as (
        select
            source_system,
            line_hash,
            count(*) as deliveries
        from {{ this }}
        where line_hash in (select distinct line_hash from new_lines)
        group by source_system, line_hash
    ),
{% endif %}

counted as (
    select
        ranked.*,
        ranked.delivery_in_batch
        {%- if is_incremental() %} + coalesce(earlier_deliveries.deliveries, 0){% endif %}
            as delivery_no
    from
        ranked
    {%- if is_incremental() %}
    left join earlier_deliveries
        on
            ranked.source_system = earlier_deliveries.source_system
            and ranked.line_hash = earlier_deliveries.line_hash
    {%- endif %}
),

final as (
    select
        * exclude (raw_line, delivery_in_batch),
        case
            -- blank lines all share one hash; each is rejected on its own
            when reason_code = 'empty_line' then 'rejected'
            when delivery_no > 1 then 'duplicate'
            when reason_code is not null then 'rejected'
            else 'accepted'
        end as outcome,
        case when reason_code is not null then raw_line end as raw_line
    from counted
)

select * from final
