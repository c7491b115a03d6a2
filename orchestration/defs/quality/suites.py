"""Great Expectations (GX Core 1.x) suites for the data contract, defined in code.

Each suite names a warehouse table and its expectations. `validate()` runs one suite
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
orchestration.defs.quality.suites` checks every row.

`validate_all()` runs several suites on one GX context and updates the Data Docs once,
with the pages of those validations only: rendering the site is GX's largest fixed
cost (~0.4 s a build here), which a build per suite paid six times.

dbt tests guard model logic (keys, relationships, cart and funnel invariants); these
suites guard the contract the marts and their users rely on (types, required fields,
value domains, conservation). `dim_products.product_id` is checked in both on purpose:
the dbt test is the model's key, the GX one is part of the published contract.
"""

from __future__ import annotations

import csv
import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.defs.warehouse.files import table_exists
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, SOURCES, duckdb_config

log = logging.getLogger(__name__)

# the reason codes a line can get: the dbt seed the models' tests also read
REASON_CODES = tuple(
    row["reason_code"]
    for row in csv.DictReader((REPO_ROOT / "dbt_project" / "seeds" / "reason_codes.csv").open())
)
MAX_EXAMPLES = 5


def gx_root() -> Path:
    """Where the GX file context and its Data Docs live (`$GX_ROOT`, default build/gx)."""
    return Path(os.environ.get("GX_ROOT") or REPO_ROOT / "build" / "gx")


def data_docs_index() -> Path:
    return gx_root() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def event_type_pairs() -> list[tuple[int, str]]:
    with (DBT_PROJECT_DIR / "seeds" / "event_types.csv").open() as handle:
        return [(int(r["event_type_id"]), r["event_type"]) for r in csv.DictReader(handle)]


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # schema.table in the warehouse
    # (read-only connection, condition on landed lines in scope) -> GX expectations
    expectations: Callable[[duckdb.DuckDBPyConnection, str], list]
    # the rows the suite speaks of (its row count), as a SQL condition on the table
    rows: str = "true"
    example_columns: tuple[str, ...] = ("raw_file", "raw_line_no")
    blocking: bool = True
    # the Dagster asset (dbt model) the check hangs on, when not the table itself
    asset: tuple[str, ...] = ()
    # an incremental validation reads the rows loaded since the last pass (else all)
    since_last_pass: bool = False
    # what else the suite compares the rows with, counted since the last pass (the
    # landed lines the audit rows must match): nothing new and no new rows, no work
    other_inputs_since: Callable[[duckdb.DuckDBPyConnection, str], int] | None = None
    # a whole-table suite: SQL giving one text that changes whenever what the
    # expectations read changes; equal to the one of the last pass, no work
    fingerprint: str | None = None

    @property
    def asset_path(self) -> tuple[str, ...]:
        """The Dagster asset key's path: `asset`, else the table's name."""
        return self.asset or (self.table.split(".")[-1],)


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


def _rows_where(condition: str, label: str) -> Any:
    """An expectation that no row meets `condition`, reported under `label` (SQL only:
    GX runs the query in the warehouse and keeps a few of the rows as examples)."""
    import great_expectations as gx

    return gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=(
            f"select raw_file || ':' || raw_line_no as row_ref from {{batch}} where {condition}"
        ),
        meta={"column": label},
    )


def _repeated_keys(columns: tuple[str, ...]) -> Any:
    """An expectation that no two rows share the values of `columns`, reported under
    their names with the repeated keys as examples. One aggregation in the warehouse:
    GX's ExpectCompoundColumnsToBeUnique costs three times as much on 10 M rows."""
    import great_expectations as gx

    key = " || ':' || ".join(columns)
    return gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=(
            f"select {key} as row_ref from {{batch}}"
            f" group by {', '.join(columns)} having count(*) > 1"
        ),
        meta={"column": ", ".join(columns)},
    )


def _fact_expectations(_con: duckdb.DuckDBPyConnection, _landed: str) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeBetween(column="event_type_id", min_value=1, max_value=16),
        e.ExpectColumnPairValuesToBeInSet(
            column_A="event_type_id",
            column_B="event_type",
            value_pairs_set=event_type_pairs(),
            ignore_row_if="neither",
        ),
        *[
            e.ExpectColumnValuesToNotBeNull(column=column)
            for column in ("event_id", "source_system", "contact_id", "product_id", "occurred_at")
        ],
        e.ExpectColumnValuesToBeBetween(column="quantity", min_value=0, strict_min=True),
        e.ExpectColumnValuesToBeBetween(column="unit_price", min_value=0),
        e.ExpectColumnValuesToMatchRegex(column="currency", regex=r"^[A-Z]{3}$"),
        # a client clock may run ahead, but not by more than a day
        _rows_where("occurred_at > received_at + interval 1 day", "occurred_at, received_at"),
    ]


def _dim_products_expectations(_con: duckdb.DuckDBPyConnection, _landed: str) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="product_id"),
        e.ExpectColumnValuesToBeUnique(column="product_id"),
    ]


def _landed(con: duckdb.DuckDBPyConnection, landed_lines: str) -> int:
    """The landing tables' rows that meet the condition `landed_lines`."""
    counts = [f"select count(*) from raw.{source}_lines where {landed_lines}" for source in SOURCES]
    return sum(con.execute(sql).fetchall()[0][0] for sql in counts)


def _audit_expectations(con: duckdb.DuckDBPyConnection, landed_lines: str) -> list:
    """`landed_lines`: the condition on the landing tables' rows the batch speaks of."""
    import great_expectations as gx

    landed = _landed(con, landed_lines)
    e = gx.expectations
    return [
        # conservation: one audit row per landed line, no more, no less
        e.ExpectTableRowCountToEqual(value=landed),
        _repeated_keys(("source_system", "raw_file", "raw_line_no")),
        e.ExpectColumnValuesToNotBeNull(column="outcome"),
        e.ExpectColumnValuesToBeInSet(
            column="outcome", value_set=["accepted", "duplicate", "rejected"]
        ),
        e.ExpectColumnValuesToBeInSet(column="reason_code", value_set=list(REASON_CODES)),
    ]


def _staged_expectations(source: str) -> Callable[[duckdb.DuckDBPyConnection, str], list]:
    """Every staged line of the source that is not a repeat delivery resolves its type
    and has its required fields (the parsed lines live in int_events_deduplicated)."""
    this_source = f"source_system = '{source}' and outcome <> 'duplicate'"
    return lambda _con, _landed: [
        _rows_where(f"{this_source} and reason_code = 'unknown_event_type'", "type_resolution"),
        _rows_where(f"{this_source} and reason_code = 'missing_required_field'", "required_fields"),
    ]


SUITES: dict[str, Suite] = {
    "fact_product_events": Suite(
        name="fact_product_events_contract",
        table="main.fact_product_events",
        expectations=_fact_expectations,
        since_last_pass=True,
    ),
    "dim_products": Suite(
        name="dim_products_contract",
        table="main.dim_products",
        expectations=_dim_products_expectations,
        example_columns=("product_id",),
        # the expectations read product_id only: its values, sorted, with the nulls
        fingerprint="select count(*) || ':' || md5(to_json(list(product_id order by product_id)))"
        " from main.dim_products",
    ),
    "audit_raw_lines": Suite(
        name="audit_raw_lines_conservation",
        table="main.audit_raw_lines",
        expectations=_audit_expectations,
        since_last_pass=True,
        other_inputs_since=_landed,
    ),
    **{
        f"stg_{source}__events": Suite(
            name=f"stg_{source}__events_types_and_required_fields",
            table="intermediate.int_events_deduplicated",
            rows=f"source_system = '{source}' and outcome <> 'duplicate'",
            expectations=_staged_expectations(source),
            blocking=False,
            asset=("staging", f"stg_{source}__events"),
            since_last_pass=True,
        )
        for source in SOURCES
    },
}


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


# the last passing incremental validation of each suite: the latest loaded_at it
# checked (suites on growing tables), or its fingerprint (whole-table suites)
MARKS_TABLE = "meta.gx_checked_through"
FINGERPRINTS_TABLE = "meta.gx_passed_fingerprint"
# the outcome of each suite's last validation: a suite not run again reports it
LAST_TABLE = "meta.gx_last_validation"
MARK_COLUMNS = {
    MARKS_TABLE: "loaded_at timestamp",
    FINGERPRINTS_TABLE: "fingerprint varchar",
    LAST_TABLE: "outcome varchar",
}


def _mark(con: duckdb.DuckDBPyConnection, table: str, suite: Suite) -> Any:
    """The suite's value in a marks table, or None."""
    if not table_exists(con, table):
        return None
    column = MARK_COLUMNS[table].split()[0]
    return con.execute(
        f"select max({column}) from {table} where suite_name = ?", [suite.name]
    ).fetchall()[0][0]


def _last_validation(con: duckdb.DuckDBPyConnection, suite: Suite) -> dict | None:
    """The suite's last validation as recorded (success, message, failures), or None."""
    import json

    recorded = _mark(con, LAST_TABLE, suite)
    return json.loads(recorded) if recorded else None


def _record_validation(warehouse: Path, suite: Suite, outcome: Outcome) -> None:
    import json

    record = {
        "success": outcome.success,
        "message": outcome.message,
        "failures": [f.__dict__ for f in outcome.failures],
    }
    _advance_mark(warehouse, LAST_TABLE, suite, json.dumps(record, default=str))


def _advance_mark(warehouse: Path, table: str, suite: Suite, value: Any) -> None:
    with duckdb.connect(str(warehouse), config=duckdb_config()) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            f"create table if not exists {table}"
            f" (suite_name varchar not null, {MARK_COLUMNS[table]})"
        )
        con.execute(f"delete from {table} where suite_name = ?", [suite.name])
        con.execute(f"insert into {table} values (?, ?)", [suite.name, value])


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    since: Any,
    row_count: int,
    in_scope: str,
    fingerprint: str | None,
) -> str | None:
    """What stayed the same since the suite's last passing incremental validation, when
    nothing it reads changed (GX would check an empty batch, or the same column again);
    else None. fingerprint: the suite's fingerprint now, for a whole-table suite."""
    if suite.since_last_pass:
        if since is None or row_count:
            return None
        if suite.other_inputs_since is not None and suite.other_inputs_since(con, in_scope):
            return None
        return f"no rows loaded since {since}"
    if fingerprint is not None and fingerprint == _mark(con, FINGERPRINTS_TABLE, suite):
        return "the values the suite reads are those of its last pass"
    return None


def validate(
    suite: Suite,
    warehouse: Path,
    *,
    incremental: bool = False,
    get_context: Callable[[], Any] = _context,
) -> Outcome:
    """Run one suite on the warehouse file (read-only). The Data Docs are updated by
    `validate_all()`, once for all the suites it runs.

    incremental: check only the rows of the lines loaded since the suite's last passing
    incremental validation, and move that mark when this one passes. When nothing the
    suite reads changed since then, GX is not run (nor imported): the outcome says so.
    get_context: gives the GX context, shared by the suites of one `validate_all()`."""
    # Figures the expectations need, read before GX opens the file: one process may not
    # hold two DuckDB connections to a file with different settings.
    with duckdb.connect(str(warehouse), read_only=True, config=duckdb_config()) as con:
        since = latest = None
        if incremental and suite.since_last_pass:
            since = _mark(con, MARKS_TABLE, suite)
            latest = con.execute(f"select max(loaded_at) from {suite.table}").fetchall()[0][0]
        # the rows checked; the same condition picks the landed lines they come from
        in_scope = "true" if since is None else f"loaded_at > cast('{since}' as timestamp)"
        row_count = con.execute(
            f"select count(*) from {suite.table} where {suite.rows} and {in_scope}"
        ).fetchall()[0][0]
        fingerprint = None
        if incremental and suite.fingerprint is not None:
            fingerprint = con.execute(suite.fingerprint).fetchall()[0][0]
        unchanged = (
            _unchanged(con, suite, since, row_count, in_scope, fingerprint) if incremental else None
        )
        last = _last_validation(con, suite) if unchanged is not None else None
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
        _advance_mark(warehouse, MARKS_TABLE, suite, latest)
    if fingerprint is not None and passed:
        _advance_mark(warehouse, FINGERPRINTS_TABLE, suite, fingerprint)
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
        _record_validation(warehouse, suite, outcome)
    return outcome


def validate_all(
    suites: list[Suite], warehouse: Path, *, incremental: bool = False
) -> list[Outcome]:
    """Run each suite as `validate()` does, on one GX context, then update the Data
    Docs once: the pages of these validations and the index. A suite that raises is a
    failed outcome with the error, and the others still run and report. GX's context is
    made when the first suite needs it: a run with nothing new never imports GX."""
    get_context = functools.cache(_context)
    outcomes = []
    for suite in suites:
        try:
            outcome = validate(suite, warehouse, incremental=incremental, get_context=get_context)
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
    pages = [r for outcome in outcomes for r in outcome.docs_resources]
    if pages:  # no pages: nothing new to show (an empty list would rebuild the site)
        get_context().build_data_docs(resource_identifiers=pages)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.defs.quality.suites [--docs]`: run every suite, rebuild
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
