"""The published warehouse: what readers open at $WAREHOUSE_PATH."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.defs.warehouse.files import build_inputs, build_stamp, publish
from orchestration.defs.warehouse.resources import WarehouseResource
from orchestration.summary import CONTRACT_TABLES


@asset(
    key=AssetKey(["published_warehouse"]),
    group_name="published",
    kinds={"duckdb"},
    # and the segments, whose blocking contract check must pass first
    deps=[AssetKey([table]) for table in (*CONTRACT_TABLES, "mart_contact_segments")],
    description=(
        "The build file copied to $WAREHOUSE_PATH and renamed over it in one step, once "
        "every table upstream was built and no blocking check failed: readers (notebooks, "
        "SQL clients, BI tools) open this file, never the one builds write, so they never "
        "block a build and always see the last whole state. A failed run publishes nothing. "
        "What built it is recorded: a run with nothing new builds nothing (dbt_models)."
    ),
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    inputs = build_inputs(build_stamp(warehouse.published))
    changed = publish(warehouse.published, warehouse.build_file, inputs)
    context.log.info(
        f"published {warehouse.published}"
        if changed
        else f"{warehouse.published} already holds the build file's state"
    )
    return MaterializeResult(
        metadata={
            "path": str(warehouse.published),
            "bytes": warehouse.published.stat().st_size,
            "copied": changed,
        }
    )
