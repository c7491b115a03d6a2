"""Great Expectations (GX Core 1.x) suites for the data contract, defined in code: each
names a warehouse table, the rows it speaks of and its expectations (`SUITES`).
`runner.py` validates them, `marks.py` remembers what each last checked.

Each rule is owned once. dbt tests guard model logic (keys, relationships, cart and
funnel invariants); these suites guard the contract the marts and their users rely on
(types, required fields, value domains, conservation). `dim_products.product_id` and
`mart_contact_segments`' kinds and contacts are checked in both on purpose: the dbt
tests are the models' keys and relationships, the GX ones part of what the published
tables promise (the kinds are read from the model's YAML, so the list is written once).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import yaml

from orchestration.settings import DBT_PROJECT_DIR, SOURCES


def seed_rows(name: str) -> list[dict[str, str]]:
    """The rows of the dbt seed `name` (dbt_project/seeds/<name>.csv)."""
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open() as handle:
        return list(csv.DictReader(handle))


# the reason codes a line can get: the dbt seed the models' tests also read
REASON_CODES = tuple(row["reason_code"] for row in seed_rows("reason_codes"))


def event_type_pairs() -> list[tuple[int, str]]:
    return [(int(r["event_type_id"]), r["event_type"]) for r in seed_rows("event_types")]


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
    # checks a funnel mart: runs after the marts' step (the other suites run before it)
    on_marts: bool = False

    @property
    def asset_path(self) -> tuple[str, ...]:
        """The Dagster asset key's path: `asset`, else the table's name."""
        return self.asset or (self.table.split(".")[-1],)


def _rows_where(condition: str, label: str, row_ref: str = "raw_file || ':' || raw_line_no") -> Any:
    """An expectation that no row meets `condition`, reported under `label` (SQL only:
    GX runs the query in the warehouse and keeps a few of the rows, as `row_ref`, as
    examples)."""
    import great_expectations as gx

    return gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=f"select {row_ref} as row_ref from {{batch}} where {condition}",
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


def segment_kinds() -> list[str]:
    """The kinds mart_contact_segments documents: its YAML's accepted values."""
    models = yaml.safe_load((DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml").open())
    model = next(m for m in models["models"] if m["name"] == "mart_contact_segments")
    column = next(c for c in model["columns"] if c["name"] == "segment_kind")
    test = next(t for t in column["data_tests"] if "accepted_values" in t)
    return list(test["accepted_values"]["arguments"]["values"])


def _segments_expectations(_con: duckdb.DuckDBPyConnection, _landed: str) -> list:
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="segment_id"),
        e.ExpectColumnValuesToBeInSet(column="segment_kind", value_set=segment_kinds()),
        e.ExpectColumnValuesToNotBeNull(column="contact_id"),
        _rows_where(
            "contact_id not in (select contact_id from main.dim_contacts)",
            "contact_id in dim_contacts",
            row_ref="segment_id || ':' || contact_id",
        ),
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
    "mart_contact_segments": Suite(
        name="mart_contact_segments_contract",
        table="main.mart_contact_segments",
        expectations=_segments_expectations,
        example_columns=("segment_id", "contact_id"),
        on_marts=True,
        # what the expectations read: the rows' ids, kinds and contacts, and the contacts
        fingerprint="select count(*) || ':' || sum(hash(segment_id, segment_kind, contact_id))"
        " || ':' || (select count(*) || ':' || sum(hash(contact_id)) from main.dim_contacts)"
        " from main.mart_contact_segments",
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
