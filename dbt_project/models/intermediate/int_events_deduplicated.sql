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
    meta={'check_scope': 'line'},
) }}
{#- each source: its parsed lines, stg_<source>__events; the landed lines of all, unparsed: stg_raw__lines -#}
{%- set sources = ['usercom', 'esputnik', 'insend'] %}
with

unioned as (
    {%- for source_system in sources %}
        select * from {{ ref('stg_' ~ source_system ~ '__events') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

new_lines as (
    select * from unioned
    where loaded_at > {{ watermark() }}
),

-- Duplicates are rare: find the lines that may repeat on a narrow projection of the
-- landed lines (a 64-bit hash of each line and its landing position), then take the
-- exact SHA-256 of those lines only and rank their deliveries by it. Sorting every parsed
-- line by its hash, or grouping every line by a 64-character hash, costs far more (the
-- latter spilled gigabytes at 10 M lines). It reads stg_raw__lines, not the parsed
-- staging views: through those DuckDB still parses every line here.
positions as (
    select
        source_system,
        line_bucket,
        {%- if is_incremental() %}
            {#- the exact hash too: earlier_deliveries looks the new lines up by it #}
            {{ landed_line_hash('line_content') }} as line_hash,
        {%- endif %}
        loaded_at,
        raw_file,
        raw_line_no
    from {{ ref('stg_raw__lines') }}
    where loaded_at > {{ watermark() }}
),

repeated_buckets as (
    select
        source_system,
        line_bucket
    from positions
    group by source_system, line_bucket
    having count(*) > 1
),

-- every line of a repeated bucket, read again with its exact hash: lines with one hash
-- share a bucket, so each set of equal lines is here whole
repeated_lines as (
    select
        lines.source_system,
        {{ landed_line_hash('lines.line_content') }} as line_hash,
        lines.loaded_at,
        lines.raw_file,
        lines.raw_line_no
    from {{ ref('stg_raw__lines') }} as lines
    inner join repeated_buckets
        on
            lines.source_system = repeated_buckets.source_system
            and lines.line_bucket = repeated_buckets.line_bucket
    where lines.loaded_at > {{ watermark() }}
),

repeated_deliveries as (
    select
        source_system,
        raw_file,
        raw_line_no,
        row_number() over (
            partition by source_system, line_hash
            order by loaded_at, raw_file, raw_line_no
        ) as delivery_in_batch
    from repeated_lines
),

{% if is_incremental() %}
    earlier_deliveries as (
        select
            source_system,
            line_hash,
            count(*) as deliveries
        from {{ this }}
        where line_hash in (select positions.line_hash from positions)
        group by source_system, line_hash
    ),
{% endif %}

counted as (
    select
        new_lines.*,
        coalesce(repeated_deliveries.delivery_in_batch, 1)
        {%- if is_incremental() %} + coalesce(earlier_deliveries.deliveries, 0){% endif %}
            as delivery_no
    from new_lines
    left join repeated_deliveries
        on
            new_lines.source_system = repeated_deliveries.source_system
            and new_lines.raw_file = repeated_deliveries.raw_file
            and new_lines.raw_line_no = repeated_deliveries.raw_line_no
    {%- if is_incremental() %}
        left join earlier_deliveries
            on
                new_lines.source_system = earlier_deliveries.source_system
                and new_lines.line_hash = earlier_deliveries.line_hash
    {%- endif %}
),

final as (
    select
        * exclude (raw_line),
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
