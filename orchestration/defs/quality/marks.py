"""What each suite last checked, kept in the warehouse (``meta.*`` tables): the latest
loaded_at it checked or the fingerprint of what it read when it last passed, and its last
outcome. A suite whose inputs did not change since its last pass is not run again; a run
reports the last outcome instead (`unchanged`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.defs.quality.suites import Suite
from orchestration.defs.warehouse.files import table_exists
from orchestration.settings import duckdb_config

if TYPE_CHECKING:
    from orchestration.defs.quality.runner import Outcome


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


def read_mark(con: duckdb.DuckDBPyConnection, table: str, suite: Suite) -> Any:
    """The suite's value in a marks table, or None."""
    if not table_exists(con, table):
        return None
    column = MARK_COLUMNS[table].split()[0]
    return con.execute(
        f"select max({column}) from {table} where suite_name = ?", [suite.name]
    ).fetchall()[0][0]


def last_validation(con: duckdb.DuckDBPyConnection, suite: Suite) -> dict | None:
    """The suite's last validation as recorded (success, message, failures), or None."""
    import json

    recorded = read_mark(con, LAST_TABLE, suite)
    return json.loads(recorded) if recorded else None


def validation_record(outcome: Outcome) -> str:
    """What LAST_TABLE keeps of a validation: success, message, failures (JSON)."""
    import json

    record = {
        "success": outcome.success,
        "message": outcome.message,
        "failures": [f.__dict__ for f in outcome.failures],
    }
    return json.dumps(record, default=str)


def write_marks(warehouse: Path, marks: list[tuple[str, Suite, Any]]) -> None:
    """Set each (table, suite, value) in one transaction on one connection: a step's
    suites move their marks together (a connection that writes the file costs tens of
    milliseconds to open and close, two or three per suite)."""
    if not marks:
        return
    with duckdb.connect(str(warehouse), config=duckdb_config()) as con:
        con.execute("begin transaction")
        con.execute("create schema if not exists meta")
        for table in dict.fromkeys(table for table, _, _ in marks):
            con.execute(
                f"create table if not exists {table}"
                f" (suite_name varchar not null, {MARK_COLUMNS[table]})"
            )
        for table, suite, value in marks:
            con.execute(f"delete from {table} where suite_name = ?", [suite.name])
            con.execute(f"insert into {table} values (?, ?)", [suite.name, value])
        con.execute("commit")


def what_is_unchanged(
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
    if fingerprint is not None and fingerprint == read_mark(con, FINGERPRINTS_TABLE, suite):
        return "the values the suite reads are those of its last pass"
    return None
