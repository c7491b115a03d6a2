"""dbt models, seeds and tests as Dagster assets (dagster-dbt)."""

import os
from collections.abc import Mapping
from typing import Any

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    MetadataValue,
    Output,
    TableColumn,
    TableRecord,
    TableSchema,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.resource import ProjectDbtCliResource, dbt_database
from orchestration.defs.quality import worker as gx_worker
from orchestration.defs.warehouse.files import (
    NOTHING_NEW,
    SEEDS,
    build_inputs,
    build_stamp,
    full_refresh_reason,
    nothing_new_since_publish,
    record_build_stamp,
    seeds_loaded_from,
    stamp_recorded,
)
from orchestration.defs.warehouse.resources import WarehouseResource

QUALITY_TABLES = ("audit_raw_lines", "quarantine_events")
PREVIEW_ROWS = 5
NUMBERS = ("bigint", "integer", "hugeint", "smallint")
# A mart's preview in the UI: its first rows by its natural key, in columns that fit the
# UI's width ("column as label": the key a reader recognises and the headline figures;
# no surrogate hash key, pseudonymous contact id or JSON item list).
PREVIEW = {
    "mart_funnel_daily": (
        "funnel_date, source_system",
        ("funnel_date as day", "source_system as source", "contacts_viewed as viewed",
         "contacts_carted as carted", "contacts_purchased as purchased",
         "view_to_purchase_rate as view_to_purchase"),
    ),
    "mart_product_funnel": (
        "product_id",
        ("product_id as product", "contacts_viewed as viewed", "contacts_carted as carted",
         "contacts_purchased as purchased", "view_to_purchase_rate as view_to_purchase",
         "revenue"),
    ),
    "mart_category_funnel": (
        "category nulls last",
        ("category", "products_viewed as products", "contacts_viewed as viewed",
         "contacts_carted as carted", "contacts_purchased as purchased",
         "view_to_purchase_rate as view_to_purchase"),
    ),
    "mart_abandoned_carts": (
        "contact_id, cart_id",
        ("source_system as source", "cart_status as status", "item_count as items",
         "cart_value as value", "currency", "last_change_at"),
    ),
    "mart_contact_segments": (
        "segment_id, contact_id",
        ("segment_id as segment", "qualified_at", "event_count as events", "cart_value",
         "currency"),
    ),
}  # fmt: skip


SEEDS_GROUP = "reference"


class ProjectTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by layer: the folder under ``models/`` (seeds: ``reference``).

    dbt sources keep the default key ``[source_name, table]``, i.e. ``raw/<source>_lines``,
    which is the key of the landing assets, so lineage runs from dump to mart.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return SEEDS_GROUP
        if dbt_resource_props["name"] in QUALITY_TABLES:
            return "quality"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


translator = ProjectTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


# The funnel marts are built in a step of their own, after the blocking Great
# Expectations checks on fact_product_events (orchestration/defs/quality/checks.py) have passed.
MARTS_SELECTION = "funnel_journeys+ carts_summarised+"


def _relation(key: AssetKey) -> str:
    """The warehouse table of a dbt asset: keys are [schema, name] or [name] (main)."""
    return ".".join(key.path) if len(key.path) == 2 else f"main.{key.path[-1]}"


def _table_metadata(con: duckdb.DuckDBPyConnection, key: AssetKey) -> dict:
    """Column types for every dbt relation; row count for a table, and for a mart a
    preview of its first rows."""
    relation = _relation(key)
    schema, name = relation.split(".")
    # DuckDB's own catalog functions, not information_schema: read while dbt builds in
    # the same database, the information_schema join took ~150 ms a model (4.3 s of a
    # 1 M full build), these a few ms
    rows = con.execute(
        """
        select
            exists (from duckdb_views() where schema_name = $1 and view_name = $2),
            list((column_name, lower(data_type)) order by column_index)
        from duckdb_columns()
        where schema_name = $1 and table_name = $2
        having count(*) > 0
        """,
        [schema, name],
    ).fetchall()
    if not rows:
        return {}
    is_view, columns = rows[0]
    metadata: dict = {
        "dagster/column_schema": TableSchema(
            columns=[TableColumn(name=c, type=t) for c, t in columns]
        )
    }
    if is_view:
        # Counting a staging view would parse every landed line again: tables only.
        return metadata
    metadata["dagster/row_count"] = con.execute(f"select count(*) from {relation}").fetchall()[0][0]
    if name in PREVIEW:
        metadata["preview"] = _preview(con, relation, dict(columns), *PREVIEW[name])
    return metadata


def _column_type(data_type: str) -> str:
    if data_type == "double":
        return "float"
    if data_type in NUMBERS:
        return "int"
    return "bool" if data_type == "boolean" else "string"


def _preview(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    types: dict[str, str],
    order_by: str,
    shown: tuple[str, ...],
) -> MetadataValue:
    """The first rows by `order_by`, in the columns `shown` ("column as label"), as a
    Dagster table: numbers stay numbers (rates to three places), other types as text."""
    labelled = dict(c.split(" as ") if " as " in c else (c, c) for c in shown)
    kinds = {label: _column_type(types[c]) for c, label in labelled.items()}
    select = ", ".join(
        f"round({c}, 3)" if kinds[label] == "float" else c if kinds[label] in ("int", "bool")
        else f"cast({c} as varchar)"
        for c, label in labelled.items()
    )  # fmt: skip
    rows = con.execute(
        f"select {select} from {relation} order by {order_by} limit {PREVIEW_ROWS}"
    ).fetchall()
    return MetadataValue.table(
        records=[TableRecord(dict(zip(kinds, row, strict=True))) for row in rows],
        schema=TableSchema(columns=[TableColumn(name=c, type=k) for c, k in kinds.items()]),
    )


def _with_table_metadata(context: AssetExecutionContext, event: Output) -> Output:
    key = context.asset_key_for_output(event.output_name)
    with dbt_database() as con:
        if con is None:
            return event
        try:
            metadata = _table_metadata(con, key)
        except RuntimeError as exc:
            # a signal (SIGINT/SIGTERM) while the query ran: DuckDB ends it with this
            # error and takes the interrupt with it; the run is stopped, not failed
            if str(exc) == "Query interrupted":
                raise KeyboardInterrupt("the run was stopped while reading metadata") from exc
            raise
        except duckdb.Error as exc:  # a view over a missing source, say
            context.log.warning(f"no row count for {key.to_user_string()}: {exc}")
            return event
    return event.with_metadata({**event.metadata, **metadata})


def _build(
    context: AssetExecutionContext,
    dbt: ProjectDbtCliResource,
    warehouse: WarehouseResource,
    witness: str,
    exclude: str | None = None,
):
    """dbt build of the step's selection. `witness`: one of the step's incremental
    tables; when it exists, the step has built in this file before (see
    warehouse.full_refresh_reason). `exclude`: the step's own `exclude`, passed again:
    when a run selects part of the step (make run without the seeds, the UI),
    dagster-dbt names the selected models and drops it, and dbt's eager indirect
    selection then adds every test that reads one of them, the funnel marts'
    relationships to dim_contacts too, run before those marts are rebuilt."""
    # `warehouse` holds the run's writer lock and has prepared the build file dbt writes;
    # dbt's profile finds it from WAREHOUSE_PATH, absolute (see profiles.yml).
    os.environ["WAREHOUSE_PATH"] = str(warehouse.published.resolve())
    # Unit tests check the SQL logic, not the data: they run in `make test`
    # (tests/test_dbt_unit_tests.py), not in every build.
    build = ["build", "--exclude-resource-type", "unit_test"]
    step = context.op_def.name
    if exclude:
        build += ["--exclude", exclude]
    stamp = build_stamp(warehouse.published)
    inputs = build_inputs(stamp)
    if step == "dbt_models" and nothing_new_since_publish(
        warehouse.published, warehouse.build_file, inputs
    ):
        # Nothing yielded: Dagster skips what depends on these models (the checks, the
        # funnel marts, publishing), as their inputs did not move.
        context.log.info(NOTHING_NEW)
        return
    if step == "dbt_models":
        # the checks after this step run GX suites: GX's process starts while dbt builds,
        # unless one runs already for this environment (make run starts it first)
        gx_worker.start()
    # the seeds are loaded and tested here unless the run left them out (make run does
    # when this file holds them from the same code: orchestration/cli.py)
    groups = context.assets_def.group_names_by_key
    seeds = any(groups.get(key) == SEEDS_GROUP for key in context.selected_asset_keys)
    with warehouse.connect(read_only=True) as con:
        reason = full_refresh_reason(con, step, stamp, witness)
        has_stamp = reason is None and stamp_recorded(con, step, stamp)
        has_seeds = not seeds or seeds_loaded_from(con, inputs)
    if reason:
        context.log.warning(f"rebuilding every model of {step} from the landed lines: {reason}")
        build.append("--full-refresh")
    # Each model's row count, column types and preview are read as dbt reports it
    # built, from dbt's own database, and the model's materialization is yielded at once.
    failure: DagsterDbtCliRuntimeError | None = None
    try:
        for event in dbt.build(build, context=context):
            if isinstance(event, Output) and context.has_assets_def:
                event = _with_table_metadata(context, event)
            yield event
    except DagsterDbtCliRuntimeError as exc:
        # what did build (and the failed tests) is recorded; the step fails after
        failure = exc
    if failure is not None:
        raise failure
    # written when they change: a write would make the file new to publish
    if reason or not has_stamp or not has_seeds:
        with warehouse.connect() as con:
            if reason or not has_stamp:
                record_build_stamp(con, step, stamp)
            if not has_seeds:
                record_build_stamp(con, SEEDS, inputs)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=MARTS_SELECTION,
    name="dbt_models",
)
def dbt_models(
    context: AssetExecutionContext, dbt: ProjectDbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate models, facts, dimensions and audit tables (dbt build:
    run + test); dbt tests report as asset checks."""
    yield from _build(
        context, dbt, warehouse, "intermediate.int_events_deduplicated", MARTS_SELECTION
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=MARTS_SELECTION,
    name="dbt_funnel_marts",
)
def dbt_funnel_marts(
    context: AssetExecutionContext, dbt: ProjectDbtCliResource, warehouse: WarehouseResource
):
    """The funnel journeys and marts; they wait for the blocking contract checks."""
    yield from _build(context, dbt, warehouse, "main.funnel_journeys")
