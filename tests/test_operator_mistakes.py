"""The operator's bad day, part two: a reader holding the warehouse open, strays in the
landing folder, a wrong landing folder, a locked warehouse. Each ends in one clear line
or is listed, never a hang or silence. Part one: tests/test_operator_faults.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.warehouse.files import WriterLock
from tests.conftest import build_file, count_elsewhere, run_cli

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process


def test_a_reader_never_blocks_a_build_and_unknown_entries_are_listed(
    raw_dir: Path, warehouse: Path
) -> None:
    # Nothing under the landing folder is skipped silently: strays are listed.
    for stray in ("shopify/2026-03-01.jsonl", "UserCom/2026-03-01.jsonl", "usercom/notes.txt"):
        (raw_dir / stray).parent.mkdir(exist_ok=True)
        (raw_dir / stray).write_text("{}\n")
    (raw_dir / "export.csv").write_text("a,b\n")
    first = run_cli(raw_dir, warehouse)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    failure = next(line for line in first.stdout.splitlines() if "no_unknown_files" in line)
    assert failure.lstrip().startswith("FAIL (warn)"), failure
    listed = first.stdout[first.stdout.index(failure) :]
    for name in ("UserCom/ (not a source folder", "shopify/ (not a source folder", "export.csv"):
        assert name in listed, name
    assert "usercom/notes.txt" in listed

    # A reader holding the published file (a notebook kernel, say) never blocks a build.
    reader = duckdb.connect(str(warehouse), read_only=True)
    before = reader.execute("select count(*) from audit_raw_lines").fetchall()[0][0]
    extra = raw_dir / "usercom" / "2026-03-09.jsonl"
    extra.write_text(
        '{"received_at":"2026-03-09T10:00:00Z","user_id":"u-new","method":"product_event",'
        '"data":{"product_id":"SKU-900","event_type":"view"}}\n'
    )
    result = run_cli(raw_dir, warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # the reader still sees the state it opened, whole; a new reader sees the new one
    assert reader.execute("select count(*) from audit_raw_lines").fetchall()[0][0] == before
    assert reader.execute(
        "select count(*) from dim_products where product_id = 'SKU-900'"
    ).fetchall() == [(0,)]
    reader.close()
    assert count_elsewhere(warehouse, "audit_raw_lines") == before + 1


def short_failure(result: subprocess.CompletedProcess[str]) -> list[str]:
    lines = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 1, lines
    assert len(lines) <= 5, lines
    assert not any("Traceback" in line for line in lines), lines
    assert lines[-1].startswith("RUN FAILED"), lines
    return lines


def test_a_missing_landing_folder_fails_in_one_line(tmp_path: Path, warehouse: Path) -> None:
    missing = tmp_path / "no_such_folder"
    lines = short_failure(run_cli(missing, warehouse))
    assert any(f"RAW_DATA_DIR {missing} does not exist" in line for line in lines), lines
    assert not warehouse.exists()


def test_a_warehouse_another_program_writes_fails_in_one_line(
    raw_dir: Path, warehouse: Path
) -> None:
    build_file(warehouse).parent.mkdir(parents=True)
    with duckdb.connect(str(build_file(warehouse))):  # a SQL client writing it
        lines = short_failure(run_cli(raw_dir, warehouse))
    assert any(f"(PID {os.getpid()})" in line for line in lines), lines


def test_a_warehouse_another_run_writes_waits_then_fails_in_one_line(
    raw_dir: Path, warehouse: Path
) -> None:
    lock = WriterLock(build_file(warehouse))
    lock.acquire("run-of-the-test")
    try:
        lines = short_failure(run_cli(raw_dir, warehouse, WAREHOUSE_LOCK_TIMEOUT="2"))
    finally:
        lock.release()
    assert any("waiting up to 2 s for run run-of-the-test" in line for line in lines), lines
    assert any(f"run run-of-the-test (PID {os.getpid()}" in line for line in lines), lines
