"""The operator's bad day, part one: a run killed at any point or stopped by a signal.
Each ends in one clear line, and the next run finishes with every published table
equal to a clean build's. Part two: tests/test_operator_mistakes.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from tests.conftest import (
    REPO_ROOT,
    SHARED_KEY,
    cli_env,
    run_cli,
    snapshot,
)
from tools.generate import Spec, generate

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process

RERUN_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """100 k generated events and the tables of one clean build of them."""
    tmp = tmp_path_factory.mktemp("faults")
    raw = tmp / "raw"
    generate(Spec(events=100_000, days=3, seed=11), raw, progress=False)
    clean = tmp / "clean" / "warehouse.duckdb"
    result = run_cli(raw, clean, **SHARED_KEY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return raw, snapshot(clean)


class Run:
    """`python -m orchestration.cli run` in the background, its stdout read as it comes."""

    def __init__(self, raw: Path, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run"],
            cwd=REPO_ROOT,
            env=cli_env(raw, warehouse, **SHARED_KEY),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.05)

    def _inside(self) -> set[str]:
        """The steps the run has started and not ended, from the Dagster instance."""
        instance = DagsterInstance.from_config(str(self.warehouse.parent / "dagster_home"))
        runs = instance.get_runs()
        if not runs:
            return set()
        run_id = runs[0].run_id

        def steps(*kinds: DagsterEventType) -> set[str]:
            records = instance.get_records_for_run(run_id, of_type=set(kinds)).records
            return {r.event_log_entry.step_key for r in records}

        return steps(DagsterEventType.STEP_START) - steps(
            DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE
        )

    def freeze_in(self, steps: set[str], timeout: float = 300) -> str:
        """Stop the process (SIGSTOP) while it is inside one of `steps`, and return that
        step, so the test kills it where it says."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, ("never inside", steps, "".join(self.lines))
            if self._inside() & steps:
                os.kill(self.process.pid, signal.SIGSTOP)
                inside = self._inside()
                if len(inside) == 1 and inside <= steps:
                    return inside.pop()
                os.kill(self.process.pid, signal.SIGCONT)  # it moved on meanwhile
            time.sleep(0.02)


def run_statuses(warehouse: Path) -> list[DagsterRunStatus]:
    instance = DagsterInstance.from_config(str(warehouse.parent / "dagster_home"))
    return [run.status for run in reversed(instance.get_runs())]


LANDING = {"raw__insend_lines", "raw__usercom_lines"}


def kill_9(run: Run) -> None:
    run.process.kill()
    run.process.wait()


def test_kill_9_in_landing_then_in_dbt_then_a_run_finishes_and_equals_a_clean_build(
    generated, tmp_path: Path
) -> None:
    """kill -9 while a source lands, then kill -9 of the next run while dbt builds
    (it had recovered what the first left), then a run that finishes."""
    raw, clean = generated
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    in_landing = Run(raw, warehouse)
    assert in_landing.freeze_in(LANDING) in LANDING  # the first source landed, another landing
    kill_9(in_landing)

    in_dbt = Run(raw, warehouse)
    in_dbt.wait_for("raw__usercom_lines")
    time.sleep(4)  # parsed, and building models
    assert in_dbt.freeze_in({"dbt_models"}) == "dbt_models"
    kill_9(in_dbt)

    started = time.monotonic()
    rerun = run_cli(raw, warehouse, timeout_s=RERUN_TIMEOUT_S, **SHARED_KEY)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert time.monotonic() - started < RERUN_TIMEOUT_S
    assert "ended without reporting: its process is gone" in rerun.stdout
    assert run_statuses(warehouse) == [
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.SUCCESS,
    ]
    assert snapshot(warehouse) == clean


def test_sigterm_stops_a_build_and_the_next_run_finishes(generated, tmp_path: Path) -> None:
    raw, clean = generated
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    run = Run(raw, warehouse)
    run.wait_for("raw__usercom_lines")
    time.sleep(4)
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=60) == 1
    run._reader.join(timeout=10)
    output = "".join(run.lines)
    assert "RUN FAILED (stopped by" in output, output
    assert "Traceback" not in output
    assert run_statuses(warehouse) == [DagsterRunStatus.FAILURE]  # not left STARTED

    rerun = run_cli(raw, warehouse, timeout_s=RERUN_TIMEOUT_S, **SHARED_KEY)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "ended without reporting" not in rerun.stdout  # nothing to recover
    assert snapshot(warehouse) == clean
