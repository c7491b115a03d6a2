"""The runner of the Great Expectations suites (suites.py).

`validate()` runs one suite
through a GX checkpoint on a file context under `build/gx/` (where `validate_all()`
also updates the Data Docs site) against GX's SQL engine on the warehouse, read-only:
every metric is a query inside DuckDB, nothing is copied into pandas (see
orchestration/defs/quality/gx_duckdb.py). It returns a compact summary: per failed expectation the
column, the number of bad rows and a few examples (as `raw_file:raw_line_no` or the
row key).

In a run (`validate(..., incremental=True)`, what the Dagster checks do) a suite on a
growing table checks the rows of the lines loaded since its last passing validation,
not the whole table: the contract is about values each row takes from its own line,
and loaded_at lets DuckDB skip the older row groups. (dbt's tests on the contact-keyed
models cover the rows a run re-derives for older lines.) The mark
(`meta.gx_checked_through`, in the warehouse) of a blocking suite moves only when it
passes, so a failure is checked again in the next run. A warn suite's mark moves after
every validation: its bad lines are quarantined, and reported in the run that loaded
them (checking them again would re-read a window that grows with every run). A suite
whose inputs did not change since its last pass (no rows loaded since the mark; for
the whole-table `dim_products`, the same product_id values, compared by fingerprint) is
not run again: a run with nothing new never imports GX. `python -m
orchestration.defs.quality.runner` checks every row.

`validate_all()` runs several suites on one GX context and updates the Data Docs once,
with the pages of those validations only: rendering the site is GX's largest fixed
cost (~0.4 s a build here), which a build per suite paid six times.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.defs.quality.marks import (
    FINGERPRINTS_TABLE,
    LAST_TABLE,
    MARKS_TABLE,
    last_validation,
    read_mark,
    validation_record,
    what_is_unchanged,
    write_marks,
)
from orchestration.defs.quality.suites import SUITES, Suite
from orchestration.settings import REPO_ROOT, duckdb_config

log = logging.getLogger(__name__)

MAX_EXAMPLES = 5


# the context `prepare_gx()` made ahead (orchestration/defs/quality/worker.py): root, context
_prepared: tuple[Path, Any] | None = None


def prepare_gx() -> None:
    """Import GX and make its context now, for the suites that will run later in this
    process (`validate_all()` uses that context while $GX_ROOT stays the same)."""
    global _prepared
    from great_expectations.data_context.types import resource_identifiers  # noqa: F401

    from orchestration.defs.quality import gx_duckdb  # noqa: F401

    _prepared = (gx_root(), _context())


def _shared_context():
    if _prepared is not None and _prepared[0] == gx_root():
        return _prepared[1]
    return _context()


def gx_root() -> Path:
    """Where the GX file context and its Data Docs live (`$GX_ROOT`, default build/gx)."""
    return Path(os.environ.get("GX_ROOT") or REPO_ROOT / "build" / "gx")


def data_docs_index() -> Path:
    return gx_root() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


@dataclass
class Failure:
    expectation: str
    column: str
    unexpected_count: int
    examples: list = field(default_factory=list)

    @property
    def message(self) -> str:
        sample = f" (e.g. {', '.join(map(str, self.examples))})" if self.examples else ""
        return f"{self.column}: {self.unexpected_count} rows fail {self.expectation}{sample}"


@dataclass
class Outcome:
    suite: str
    table: str
    success: bool
    row_count: int
    evaluated: int
    failures: list[Failure]
    since: Any = None  # the rows checked were loaded after this (None: every row)
    # GX's identifiers of the validation result and its suite: their Data Docs pages
    docs_resources: tuple = ()
    error: str | None = None  # the suite could not run (validate_all): why
    # nothing the suite reads changed since its last pass (incremental runs): what
    # stayed the same; GX was not run again
    unchanged: str | None = None
    last_message: str | None = None  # with `unchanged`: the last validation's message

    @property
    def message(self) -> str:
        if self.error is not None:
            return f"{self.table}: the suite could not run: {self.error}"
        if self.unchanged is not None:
            return f"{self.unchanged}; the last validation stands: {self.last_message}"
        if self.success:
            rows = f"{self.row_count} rows" + (
                f" loaded since {self.since}" if self.since is not None else ""
            )
            return f"{self.table}: all {self.evaluated} expectations hold on {rows}"
        return f"{self.table}: " + "; ".join(f.message for f in self.failures)


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    root = gx_root()
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    # tqdm bars (one per suite, up to 1,169 characters) would garble make run's output
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _example(row: Any, columns: tuple[str, ...]) -> str:
    if isinstance(row, dict):
        if "row_ref" in row:
            return str(row["row_ref"])
        return ":".join(str(row.get(c)) for c in columns)
    return str(row)


def _failure(item: Any, columns: tuple[str, ...]) -> Failure:
    config = item.expectation_config
    kwargs = config.kwargs
    column = (
        (config.meta or {}).get("column")
        or kwargs.get("column")
        or ", ".join(str(kwargs[k]) for k in ("column_A", "column_B", "column_list") if k in kwargs)
        or "(table)"
    )
    details = item.result or {}
    count = details.get("unexpected_count")
    rows = details.get("unexpected_index_list") or []
    if count is None and "details" in details:  # unexpected-rows queries
        count = details.get("observed_value")
        rows = details["details"].get("unexpected_rows") or []
    if count is None:  # table-level expectations report observed vs expected
        count = abs((details.get("observed_value") or 0) - kwargs.get("value", 0))
    examples = [_example(row, columns) for row in rows[:MAX_EXAMPLES]]
    if item.exception_info and item.exception_info.get("raised_exception"):
        examples = [item.exception_info.get("exception_message")]
    return Failure(config.type, column, int(count), examples)


def validate(
    suite: Suite,
    warehouse: Path,
    *,
    incremental: bool = False,
    get_context: Callable[[], Any] = _context,
    marks: list[tuple[str, Suite, Any]] | None = None,
) -> Outcome:
    """Run one suite on the warehouse file (read-only). The Data Docs are updated by
    `validate_all()`, once for all the suites it runs.

    incremental: check only the rows of the lines loaded since the suite's last passing
    incremental validation, and move that mark when this one passes. When nothing the
    suite reads changed since then, GX is not run (nor imported): the outcome says so.
    get_context: gives the GX context, shared by the suites of one `validate_all()`.
    marks: the marks this validation moves are added to it, for `validate_all()` to
    write them all at once (None: written now)."""
    pending: list[tuple[str, Suite, Any]] = [] if marks is None else marks
    # Figures the expectations need, read before GX opens the file: one process may not
    # hold two DuckDB connections to a file with different settings.
    with duckdb.connect(str(warehouse), read_only=True, config=duckdb_config()) as con:
        since = latest = None
        if incremental and suite.since_last_pass:
            since = read_mark(con, MARKS_TABLE, suite)
            latest = con.execute(f"select max(loaded_at) from {suite.table}").fetchall()[0][0]
        # the rows checked; the same condition picks the landed lines they come from
        in_scope = "true" if since is None else f"loaded_at > cast('{since}' as timestamp)"
        row_count = con.execute(
            f"select count(*) from {suite.table} where {suite.rows} and {in_scope}"
        ).fetchall()[0][0]
        fingerprint = None
        if incremental and suite.fingerprint is not None:
            fingerprint = con.execute(suite.fingerprint).fetchall()[0][0]
        unchanged = None
        if incremental:
            unchanged = what_is_unchanged(con, suite, since, row_count, in_scope, fingerprint)
        last = last_validation(con, suite) if unchanged is not None else None
        if unchanged is not None and last is not None:
            # nothing it reads changed: the check's state is its last validation's
            return Outcome(
                suite=suite.name,
                table=suite.asset_path[-1],
                success=last["success"],
                row_count=row_count,
                evaluated=0,
                failures=[Failure(**f) for f in last["failures"]],
                since=since,
                unchanged=unchanged,
                last_message=last["message"],
            )
        expectations = suite.expectations(con, in_scope)

    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    from orchestration.defs.quality import gx_duckdb

    gx_duckdb.install()
    context = get_context()
    schema, table = suite.table.split(".")
    config = {k: v for k, v in duckdb_config().items() if k != "preserve_insertion_order"}
    source = context.data_sources.add_or_update_sql(
        name="warehouse",
        connection_string=f"duckdb:///{Path(warehouse).resolve()}",
        kwargs={"connect_args": {"read_only": True, "config": config}},
        create_temp_table=False,
    )
    # asset, validation definition and checkpoint: one set for the whole table, one for
    # the rows since the mark (a query asset, its query new every run)
    name = suite.name if since is None else f"{suite.name}__since_last_check"
    if since is None:
        asset = next((a for a in source.assets if a.name == name), None) or (
            source.add_table_asset(name=name, table_name=table, schema_name=schema)
        )
    else:
        if name in source.get_asset_names():
            source.delete_asset(name)
        asset = source.add_query_asset(
            name=name, query=f"select * from {suite.table} where {in_scope}"
        )
    batch = next((b for b in asset.batch_definitions if b.name == "whole_table"), None) or (
        asset.add_batch_definition_whole_table("whole_table")
    )
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite.name, expectations=expectations)
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=[definition],
            actions=[],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(suite.example_columns),
                "partial_unexpected_count": MAX_EXAMPLES,
            },
        )
    )
    try:
        result = checkpoint.run()
    finally:
        # Let go of the file: the next dbt step needs to write to it.
        gx_duckdb.release()
    result_id, validation = next(iter(result.run_results.items()))
    failures = [
        _failure(item, suite.example_columns) for item in validation.results if not item.success
    ]
    # a blocking suite is checked again until it passes; a warn suite's lines are
    # quarantined and reported once
    passed = validation.success or not suite.blocking
    if incremental and suite.since_last_pass and passed and latest is not None:
        pending.append((MARKS_TABLE, suite, latest))
    if fingerprint is not None and passed:
        pending.append((FINGERPRINTS_TABLE, suite, fingerprint))
    outcome = Outcome(
        suite=suite.name,
        table=suite.asset_path[-1],
        success=validation.success,
        row_count=row_count,
        evaluated=len(validation.results),
        failures=failures,
        since=since,
        docs_resources=(result_id, ExpectationSuiteIdentifier(name=suite.name)),
    )
    if incremental:
        pending.append((LAST_TABLE, suite, validation_record(outcome)))
    if marks is None:
        write_marks(warehouse, pending)
    return outcome


def validate_all(
    suites: list[Suite], warehouse: Path, *, incremental: bool = False, docs: bool = True
) -> list[Outcome]:
    """Run each suite as `validate()` does, on one GX context, then update the Data
    Docs once (`build_docs()`; docs=False leaves that to the caller). A suite that
    raises is a failed outcome with the error, and the others still run and report.
    GX's context is made when the first suite needs it: a run with nothing new never
    imports GX."""
    get_context = functools.cache(_shared_context)
    outcomes = []
    marks: list[tuple[str, Suite, Any]] = []
    for suite in suites:
        try:
            outcome = validate(
                suite,
                warehouse,
                incremental=incremental,
                get_context=get_context,
                marks=marks,
            )
        except Exception as exc:  # noqa: BLE001 - reported as the suite's outcome
            log.exception("suite %s could not run", suite.name)
            outcome = Outcome(
                suite=suite.name,
                table=suite.asset_path[-1],
                success=False,
                row_count=0,
                evaluated=0,
                failures=[],
                error=f"{type(exc).__name__}: {exc}",
            )
        outcomes.append(outcome)
    write_marks(warehouse, marks)
    if docs:
        build_docs(outcomes, get_context)
    return outcomes


def build_docs(outcomes: list[Outcome], get_context: Callable[[], Any] = _shared_context) -> None:
    """Update the Data Docs with the pages of these validations and the index. Reads
    GX's stores only, not the warehouse: the run's worker does it after answering, while
    the run goes on (worker.py)."""
    pages = [r for outcome in outcomes for r in outcome.docs_resources]
    if pages:  # no pages: nothing new to show (an empty list would rebuild the site)
        get_context().build_data_docs(resource_identifiers=pages)


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.defs.quality.runner [--docs]`: run every suite, rebuild
    Data Docs."""
    import argparse
    import sys

    from orchestration.settings import build_path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--docs", action="store_true", help="only (re)build the Data Docs site")
    args = parser.parse_args(argv)
    if args.docs:
        _context().build_data_docs()
        print(f"GX Data Docs: {data_docs_index()}")
        return 0
    failed = False
    suites = list(SUITES.values())
    for suite, outcome in zip(suites, validate_all(suites, build_path()), strict=True):
        failed |= suite.blocking and not outcome.success
        print(("PASS " if outcome.success else "FAIL ") + outcome.message)
    print(f"GX Data Docs: {data_docs_index()}")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
