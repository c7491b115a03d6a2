{#- Every landed line of every source with its outcome: accepted, duplicate (the same
    line, trimmed, already delivered earlier in landing order) or rejected. -#}
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

ranked as (
    select
        *,
        row_number() over (
            partition by source_system, line_hash
            order by loaded_at, raw_file, raw_line_no
        ) as delivery_no
    from unioned
),

final as (
    select
        *,
        case
            -- blank lines all share one hash; each is rejected on its own
            when reason_code = 'empty_line' then 'rejected'
            when delivery_no > 1 then 'duplicate'
            when reason_code is not null then 'rejected'
            else 'accepted'
        end as outcome
    from ranked
)

select * from final
