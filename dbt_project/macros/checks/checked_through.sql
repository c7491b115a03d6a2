{#- Tests in an incremental `dbt build` check the rows the build may have changed, not
    the whole history, so a daily run's tests cost in proportion to its new data.

    meta.checked_through holds, per incremental model, the latest loaded_at of a build
    in which every node passed (advance_checked_through, on-run-end). A model declares
    what its rows are keyed by in `meta: {check_scope: line | contact}`, and its generic
    tests read (get_where_subquery):
      - line: the rows of lines loaded since (`loaded_at >` the checked mark);
      - contact: every row of a contact with such a row (what the run re-derived).
    A build with a failed node advances nothing: the next build checks those rows again.
    `dbt test`, `dbt build --full-refresh` and a first build check every row. -#}

{% macro checked_through(model_name) -%}
    {#- The model's checked mark as a timestamp literal, or none: check every row. -#}
    {%- if not execute or flags.WHICH != 'build' or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set marks = adapter.get_relation(
        database=target.database, schema='meta', identifier='checked_through'
    ) -%}
    {%- if marks is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        "select max(loaded_at) from " ~ marks ~ " where model_name = '" ~ model_name ~ "'"
    ) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {{ return(none if latest is none else "cast('" ~ latest ~ "' as timestamp)") }}
{%- endmacro %}


{% macro check_scope_condition(node, relation) -%}
    {#- The SQL condition on `relation` (the node's table) for its tests, or ''. -#}
    {%- set kind = (node.config.meta or {}).get('check_scope') -%}
    {%- set since = checked_through(node.name) if kind else none -%}
    {%- if since is none -%}
        {{ return('') }}
    {%- elif kind == 'line' -%}
        {{ return('loaded_at > ' ~ since) }}
    {%- else -%}
        {{ return(
            'contact_id in (select contact_id from ' ~ relation
            ~ ' where loaded_at > ' ~ since ~ ')'
        ) }}
    {%- endif -%}
{%- endmacro %}


{% macro default__get_where_subquery(relation) -%}
    {#- dbt's own, plus the check scope of the tested model (see above). -#}
    {%- set conditions = [] -%}
    {%- if config.get('where', '') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set node = graph.nodes.get(model.attached_node) if execute and model.attached_node else none -%}
    {%- if node and node.resource_type == 'model' and relation.identifier == node.alias -%}
        {%- set scope = check_scope_condition(node, relation) -%}
        {%- if scope -%}
            {%- do conditions.append(scope) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}


{% macro advance_checked_through(results) -%}
    {#- on-run-end: after a build in which every node passed, the SQL that moves each
        built model's checked mark to its latest loaded_at (the hook runs it). -#}
    {%- if execute and flags.WHICH == 'build' -%}
        {%- set bad = results | selectattr('status', 'in', ['error', 'fail', 'skipped']) | list -%}
        {%- set built = [] -%}
        {%- for result in results if result.node.resource_type == 'model' -%}
            {%- if (result.node.config.meta or {}).get('check_scope') -%}
                {%- do built.append(result.node) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if built and not bad -%}
            create schema if not exists meta;
            create table if not exists meta.checked_through (
                model_name varchar not null,
                loaded_at timestamp
            );
            delete from meta.checked_through
            where model_name in ('{{ built | map(attribute='name') | join("', '") }}');
            insert into meta.checked_through
            {%- for node in built %}
                select '{{ node.name }}', max(loaded_at) from {{ node.relation_name }}
                {{- '\n                union all' if not loop.last }}
            {%- endfor %};
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
