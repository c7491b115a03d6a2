"""Great Expectations suites as Dagster asset checks (see orchestration/defs/quality/suites.py).

Contract checks on fact_product_events, dim_products and audit_raw_lines are ERROR
severity and blocking: when one fails, the funnel marts downstream are not built in
that run. The one on mart_contact_segments is blocking too: publishing waits for
it. The staged-events checks are WARN: their bad lines are quarantined, not lost.

The suites run in two steps (multi-asset checks, each suite its own check), those on
the funnel marts after the marts, the others before them: a step's suites share one GX
context and update the Data Docs once, instead of once per suite. A failed blocking
check fails its step after every selected suite of it has reported.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from orchestration.defs.quality import worker
from orchestration.defs.quality.runner import Outcome, data_docs_index
from orchestration.defs.quality.suites import SUITES, Suite
from orchestration.defs.warehouse.resources import WarehouseResource


def asset_key_of(suite: Suite) -> AssetKey:
    """dagster-dbt keys: marts by name, staging models under their schema."""
    return AssetKey(list(suite.asset_path))


def _severity(suite: Suite) -> AssetCheckSeverity:
    return AssetCheckSeverity.ERROR if suite.blocking else AssetCheckSeverity.WARN


def check_key(suite: Suite) -> AssetCheckKey:
    return AssetCheckKey(asset_key_of(suite), f"gx_{suite.name}")


def _result(suite: Suite, outcome: Outcome) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=asset_key_of(suite),
        check_name=f"gx_{suite.name}",
        passed=outcome.success,
        severity=_severity(suite),
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


def _suites_check(name: str, suites: list[Suite], description: str):
    """One step running `suites`, each its own check."""

    @multi_asset_check(
        name=name,
        specs=[
            AssetCheckSpec(
                name=f"gx_{suite.name}",
                asset=asset_key_of(suite),
                blocking=suite.blocking,
                description=f"Great Expectations suite `{suite.name}` "
                f"({_severity(suite).value.lower()}).",
            )
            for suite in suites
        ],
        can_subset=True,
        description=description,
    )
    def check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        selected = context.selected_asset_check_keys
        chosen = [s for s in suites if check_key(s) in selected]
        # in the run's GX process (started while dbt built, see worker.py)
        outcomes = worker.validate_all(chosen, warehouse.build_file, incremental=True)
        for suite, outcome in zip(chosen, outcomes, strict=True):
            (context.log.info if outcome.success else context.log.warning)(outcome.message)
            yield _result(suite, outcome)

    return check


# Each selected suite on the rows loaded since it last passed (python -m
# orchestration.defs.quality.runner: every row). The suites on the funnel marts run in
# a step after the marts, the others before them.
gx_checks = [
    _suites_check(
        "gx_suites",
        [s for s in SUITES.values() if not s.on_marts],
        "The contract suites on the facts, products, audit and staged lines.",
    ),
    _suites_check(
        "gx_mart_suites",
        [s for s in SUITES.values() if s.on_marts],
        "The suites on the funnel marts (after them; publishing waits for them).",
    ),
]
