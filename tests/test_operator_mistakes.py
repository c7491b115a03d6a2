"""The operator's bad day, part two: a wrong landing folder, a locked warehouse. Each
ends in one clear line, never a hang or silence. Part one:
tests/test_operator_faults.py; a reader holding the warehouse open and strays in the
landing folder: tests/test_run_command.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.warehouse.files import WriterLock
from tests.conftest import build_file, run_cli

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process


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
