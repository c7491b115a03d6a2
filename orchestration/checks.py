"""Great Expectations suites as Dagster asset checks (see orchestration/quality.py).

Contract checks on fact_product_events, dim_products and audit_raw_lines are ERROR
severity and blocking: when one fails, the funnel marts downstream are not built in
that run. The staged-events checks are WARN: their bad lines are quarantined, not lost.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.assets_landing import WAREHOUSE_POOL
from orchestration.quality import SUITES, Suite, data_docs_index, validate
from orchestration.resources import WarehouseResource


def asset_key_of(suite: Suite) -> AssetKey:
    """dagster-dbt keys: marts by name, staging models under their schema."""
    return AssetKey(list(suite.asset) or [suite.table.split(".")[-1]])


def build_check(suite: Suite) -> AssetChecksDefinition:
    severity = AssetCheckSeverity.ERROR if suite.blocking else AssetCheckSeverity.WARN

    @asset_check(
        asset=asset_key_of(suite),
        name=f"gx_{suite.name}",
        blocking=suite.blocking,
        pool=WAREHOUSE_POOL,
        description=f"Great Expectations suite `{suite.name}` ({severity.value.lower()}).",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        # the rows loaded since the suite last passed (python -m orchestration.quality: all)
        outcome = validate(suite, Path(warehouse.warehouse_path), incremental=True)
        (context.log.info if outcome.success else context.log.warning)(outcome.message)
        return AssetCheckResult(
            passed=outcome.success,
            severity=severity,
            description=outcome.message,
            metadata={
                "rows": outcome.row_count,
                "rows_loaded_since": str(outcome.since) if outcome.since is not None else "all",
                "expectations": outcome.evaluated,
                "failed_expectations": len(outcome.failures),
                "failures": MetadataValue.md(
                    "\n".join(f"- {f.message}" for f in outcome.failures) or "none"
                ),
                "data_docs": MetadataValue.path(str(data_docs_index())),
            },
        )

    return _check


gx_checks = [build_check(suite) for suite in SUITES.values()]
