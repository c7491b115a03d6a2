"""Great Expectations (GX Core 1.x) suites for the data contract, defined in code.

Each suite names a warehouse table, the SQL that selects the columns it needs (never
the whole table), and its expectations. `validate()` runs one suite through a GX
checkpoint on a file context under `build/gx/`, which also rebuilds the Data Docs
site there, and returns a compact summary: per failed expectation the column, the
number of bad rows and a few examples (as `raw_file:raw_line_no` or the row key).

dbt tests guard model logic (keys, relationships, cart and funnel invariants); these
suites guard the contract the marts and their users rely on (types, required fields,
value domains, conservation). `dim_products.product_id` is checked in both on purpose:
the dbt test is the model's key, the GX one is part of the published contract.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, SOURCES

log = logging.getLogger(__name__)

REASON_CODES = (
    "duplicate_delivery",
    "empty_line",
    "invalid_json",
    "invalid_timestamp",
    "missing_contact",
    "missing_required_field",
    "unknown_event_type",
    "invalid_product_payload",
    "invalid_price",
    "invalid_quantity",
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
    table: str
    sql: str
    expectations: Callable[[duckdb.DuckDBPyConnection], list]
    example_columns: tuple[str, ...] = ("row_ref",)
    blocking: bool = True


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

    @property
    def message(self) -> str:
        if self.success:
            return f"{self.table}: all {self.evaluated} expectations hold on {self.row_count} rows"
        return f"{self.table}: " + "; ".join(f.message for f in self.failures)


def _fact_expectations(_con: duckdb.DuckDBPyConnection) -> list:
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
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="received_at_plus_1_day", column_B="occurred_at", or_equal=True
        ),
    ]


def _dim_products_expectations(_con: duckdb.DuckDBPyConnection) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="product_id"),
        e.ExpectColumnValuesToBeUnique(column="product_id"),
    ]


def _audit_expectations(con: duckdb.DuckDBPyConnection) -> list:
    import great_expectations as gx

    landed = sum(
        con.execute(f"select count(*) from raw.{source}_lines").fetchall()[0][0]
        for source in SOURCES
    )
    e = gx.expectations
    return [
        # conservation: one audit row per landed line, no more, no less
        e.ExpectTableRowCountToEqual(value=landed),
        e.ExpectCompoundColumnsToBeUnique(column_list=["source_system", "raw_file", "raw_line_no"]),
        e.ExpectColumnValuesToNotBeNull(column="outcome"),
        e.ExpectColumnValuesToBeInSet(
            column="outcome", value_set=["accepted", "duplicate", "rejected"]
        ),
        e.ExpectColumnValuesToBeInSet(column="reason_code", value_set=list(REASON_CODES)),
    ]


def _staged_expectations(_con: duckdb.DuckDBPyConnection) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeInSet(column="type_resolution", value_set=["unresolved"]),
        e.ExpectColumnValuesToNotBeInSet(column="required_fields", value_set=["missing"]),
    ]


SUITES: dict[str, Suite] = {
    "fact_product_events": Suite(
        name="fact_product_events_contract",
        table="fact_product_events",
        sql="""
            select
                event_id, source_system, event_type_id, event_type, contact_id, product_id,
                quantity, unit_price, currency, occurred_at,
                received_at + interval 1 day as received_at_plus_1_day,
                coalesce(raw_file || ':' || raw_line_no, event_id) as row_ref
            from main.fact_product_events
        """,
        expectations=_fact_expectations,
    ),
    "dim_products": Suite(
        name="dim_products_contract",
        table="dim_products",
        sql="select product_id, product_id as row_ref from main.dim_products",
        expectations=_dim_products_expectations,
    ),
    "audit_raw_lines": Suite(
        name="audit_raw_lines_conservation",
        table="audit_raw_lines",
        sql="""
            select source_system, raw_file, raw_line_no, outcome, reason_code,
                   raw_file || ':' || raw_line_no as row_ref
            from main.audit_raw_lines
        """,
        expectations=_audit_expectations,
    ),
    **{
        f"stg_{source}__events": Suite(
            name=f"stg_{source}__events_types_and_required_fields",
            table=f"stg_{source}__events",
            # every staged line of the source that is not blank or a repeat delivery
            sql=f"""
                select
                    raw_file || ':' || raw_line_no as row_ref,
                    case when reason_code = 'unknown_event_type' then 'unresolved'
                         else 'resolved' end as type_resolution,
                    case when reason_code = 'missing_required_field' then 'missing'
                         else 'present' end as required_fields
                from intermediate.int_events_deduplicated
                where source_system = '{source}' and outcome <> 'duplicate'
            """,
            expectations=_staged_expectations,
            blocking=False,
        )
        for source in SOURCES
    },
}


def _context():
    import great_expectations as gx

    root = gx_root()
    root.mkdir(parents=True, exist_ok=True)
    return gx.get_context(mode="file", project_root_dir=str(root))


def validate(suite: Suite, con: duckdb.DuckDBPyConnection) -> Outcome:
    """Run one suite on the current warehouse and refresh the Data Docs site."""
    import great_expectations as gx

    frame: pd.DataFrame = con.execute(suite.sql).df()
    context = _context()
    source = context.data_sources.add_or_update_pandas(name="warehouse")
    asset = next((a for a in source.assets if a.name == suite.table), None) or (
        source.add_dataframe_asset(name=suite.table)
    )
    batch = next((b for b in asset.batch_definitions if b.name == "whole_table"), None) or (
        asset.add_batch_definition_whole_dataframe("whole_table")
    )
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(con))
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(suite.example_columns),
                "partial_unexpected_count": MAX_EXAMPLES,
            },
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": frame})
    validation = next(iter(result.run_results.values()))
    failures = []
    for item in validation.results:
        if item.success:
            continue
        config = item.expectation_config
        kwargs = config.kwargs
        column = (
            kwargs.get("column")
            or ", ".join(
                str(kwargs[k]) for k in ("column_A", "column_B", "column_list") if k in kwargs
            )
            or "(table)"
        )
        details = item.result or {}
        count = details.get("unexpected_count")
        if count is None:  # table-level expectations report observed vs expected
            count = abs((details.get("observed_value") or 0) - kwargs.get("value", 0))
        examples = [
            row.get(suite.example_columns[0]) if isinstance(row, dict) else row
            for row in (details.get("unexpected_index_list") or [])[:MAX_EXAMPLES]
        ]
        if item.exception_info and item.exception_info.get("raised_exception"):
            examples = [item.exception_info.get("exception_message")]
        failures.append(Failure(config.type, column, int(count), examples))
    return Outcome(
        suite=suite.name,
        table=suite.table,
        success=validation.success,
        row_count=len(frame),
        evaluated=len(validation.results),
        failures=failures,
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.quality [--docs]`: run every suite, rebuild Data Docs."""
    import argparse
    import sys

    from orchestration.settings import warehouse_path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--docs", action="store_true", help="only (re)build the Data Docs site")
    args = parser.parse_args(argv)
    if args.docs:
        _context().build_data_docs()
        print(f"GX Data Docs: {data_docs_index()}")
        return 0
    failed = False
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        for suite in SUITES.values():
            outcome = validate(suite, con)
            failed |= suite.blocking and not outcome.success
            print(("PASS " if outcome.success else "FAIL ") + outcome.message)
    print(f"GX Data Docs: {data_docs_index()}")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
