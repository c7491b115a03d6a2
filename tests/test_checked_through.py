"""Tests in an incremental `dbt build` check the rows the build changed (since the last
build in which everything passed); `dbt test` checks every row; a failure is checked
again until it is fixed (dbt_project/macros/checks/checked_through.sql)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.defs.landing.dumps import land_source
from orchestration.settings import SOURCES
from tests.conftest import DbtRun, build_file, dbt_here, plant_bad_audit_row, query
from tools.generate import Spec, generate

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process

BAD_OUTCOME = "accepted_values_audit_raw_lines_outcome"


def build(published: Path) -> DbtRun:
    return dbt_here(published, "build", "--exclude-resource-type", "unit_test")


def land(everything: Path, raw: Path, warehouse: Path, days: list[str]) -> None:
    for path in everything.rglob("*.jsonl"):
        if path.stem in days:
            target = raw / path.relative_to(everything)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    with duckdb.connect(str(warehouse)) as con:
        for source in SOURCES:
            land_source(con, source, raw)


def execute(warehouse: Path, sql: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql)


def marks(warehouse: Path) -> dict:
    return dict(query(warehouse, "select model_name, loaded_at from meta.checked_through"))


def failing(result: DbtRun) -> list[str]:
    return result.failed()


def test_incremental_tests_check_new_rows_and_recheck_failures(tmp_path: Path) -> None:
    everything, raw = tmp_path / "all", tmp_path / "raw"
    generate(Spec(events=3_000, days=4, seed=3), everything, progress=False)
    days = sorted({p.stem for p in everything.rglob("*.jsonl")})
    published = tmp_path / "wh" / "warehouse.duckdb"  # WAREHOUSE_PATH of dbt's runs
    warehouse = build_file(published)  # the file dbt writes, and this test too
    warehouse.parent.mkdir(parents=True)

    land(everything, raw, warehouse, days[:2])
    assert build(published).success
    first = marks(warehouse)
    audit_mark = first["audit_raw_lines"]
    assert audit_mark == query(warehouse, "select max(loaded_at) from audit_raw_lines")[0][0]

    # An old audit row goes bad behind dbt's back: the next incremental build does not
    # look at it (it checks the new lines), a whole-table `dbt test` does.
    execute(
        warehouse,
        "update audit_raw_lines set outcome = 'lost' where raw_line_no = 1 and raw_file = "
        "(select min(raw_file) from audit_raw_lines)",
    )
    land(everything, raw, warehouse, days[2:3])
    result = build(published)
    assert result.success, result.failed()
    second = marks(warehouse)
    assert second["audit_raw_lines"] > audit_mark  # the new lines were checked and passed
    whole = dbt_here(published, "test", "--select", "audit_raw_lines")
    assert not whole.success
    assert any(BAD_OUTCOME in line for line in failing(whole)), failing(whole)

    # A bad row newer than the mark (as a broken build would leave): the next build's
    # tests see it and fail, and the marks stay where they were ...
    plant_bad_audit_row(warehouse)
    land(everything, raw, warehouse, days[3:])
    failed = build(published)
    assert not failed.success
    assert any(BAD_OUTCOME in line for line in failing(failed)), failing(failed)
    assert any("assert_every_landed_line_has_one_audit_row" in line for line in failing(failed))
    assert marks(warehouse) == second
    # ... so the build after it, with nothing new landed, checks that row again.
    again = build(published)
    assert not again.success
    assert any(BAD_OUTCOME in line for line in failing(again))
    assert marks(warehouse) == second
