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
    build_file,
    cli_env,
    dbt_here,
    land_here,
    run_cli,
    snapshot,
)
from tools.generate import Spec, generate

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process

RERUN_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """100 k generated events and the tables of one clean build of them: landed and
    built by dbt in this process, as a run lands and builds (what a run adds around dbt
    changes no table)."""
    tmp = tmp_path_factory.mktemp("faults")
    raw = tmp / "raw"
    generate(Spec(events=100_000, days=3, seed=11), raw, progress=False)
    clean = tmp / "clean" / "warehouse.duckdb"
    land_here(clean, raw)
    result = dbt_here(clean, "build", "--exclude-resource-type", "unit_test", **SHARED_KEY)
    assert result.success, result.failed()
    return raw, snapshot(build_file(clean))


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


def test_sigterm_then_kill_9_in_landing_then_in_dbt_then_a_run_equals_a_clean_build(
    generated, tmp_path: Path
) -> None:
    """One warehouse through a bad day: a build stopped by SIGTERM (it says so and
    records itself failed), the next run killed (-9) while a source lands, the next one
    killed while dbt builds (it had recovered what the one before left), then a run that
    finishes: every published table equals a clean build's."""
    raw, clean = generated
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    stopped = Run(raw, warehouse)
    stopped.wait_for("raw__usercom_lines")
    time.sleep(4)
    stopped.process.send_signal(signal.SIGTERM)
    assert stopped.process.wait(timeout=60) == 1
    stopped._reader.join(timeout=10)
    output = "".join(stopped.lines)
    assert "RUN FAILED (stopped by" in output, output
    assert "Traceback" not in output
    assert run_statuses(warehouse) == [DagsterRunStatus.FAILURE]  # not left STARTED

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
    # the killed run before it; the one killed in landing was recovered by the next
    assert rerun.stdout.count("ended without reporting: its process is gone") == 1, rerun.stdout
    assert run_statuses(warehouse) == [
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.SUCCESS,
    ]
    assert snapshot(warehouse) == clean
