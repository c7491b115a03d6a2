"""The Great Expectations suites of a run, validated in a Python process of their own.

Importing GX and making its file context costs 3-4 s of CPU in Python. The dbt step
before the checks spends most of a 1 % day in Python too (dbt's per-node work, the
Dagster events), so in a thread of the run's process the import only took turns with
dbt under Python's lock (a day's dbt step went from ~8 to ~12 s). A process of its own
imports GX and makes the context on a core the run leaves idle (at a lower priority,
see ``main()``): ``make run`` starts it before it imports Dagster and the definitions
(~3 s on one core, the other idle), and a run's dbt step starts it if none runs for
the same environment (``start()``; ``dagster dev``'s runs). The checks step hands the
worker its suites (``validate_all``, as ``runner.validate_all()`` runs them) once dbt
has let go of the warehouse file.

The worker reads one request per line on stdin (JSON: suite names, warehouse, whether
incremental) and answers each with one line on its stdout (the outcomes, JSON); what
GX or DuckDB print goes to stderr. It answers as soon as the suites have run and their
marks are written, then updates the Data Docs (GX's files only) while the run goes on
to the next step. It exits when its stdin closes: the run's process closes it as it
exits and waits for the last Data Docs (``_finish``). A worker that dies (or cannot
start) turns into failed outcomes that say so: the checks report, the step fails,
nothing waits forever.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
import traceback
from dataclasses import asdict
from pathlib import Path

from orchestration.defs.quality.runner import Failure, Outcome
from orchestration.defs.quality.suites import Suite
from orchestration.settings import DEFAULT_WAREHOUSE_PATH, REPO_ROOT

NICENESS = 10
# How long the run's process waits, as it exits, for the worker's last Data Docs.
DOCS_TIMEOUT_S = 30
_worker: subprocess.Popen | None = None
_worker_env: dict[str, str] = {}  # the environment it was started with
_asked: set[subprocess.Popen] = set()  # the workers handed a request
_lock = threading.Lock()


def _depends_on(env: dict[str, str]) -> dict[str, str]:
    """What of an environment the worker's answers depend on: GX's variables ($GX_ROOT),
    DuckDB's ($DUCKDB_*), the warehouse (its temp directory; given as the process
    resolves it, which a run makes absolute on the way), Python's ($PYTHONPATH)."""
    warehouse = Path(REPO_ROOT, env.get("WAREHOUSE_PATH") or DEFAULT_WAREHOUSE_PATH).resolve()
    own = {k: v for k, v in env.items() if k.startswith(("GX_", "DUCKDB_", "PYTHON"))}
    return {**own, "WAREHOUSE_PATH": str(warehouse)}


def start() -> subprocess.Popen:
    """The worker for this process's environment ($GX_ROOT, $DUCKDB_*...), started if
    none runs for it (idempotent; one started for another environment is stopped)."""
    global _worker, _worker_env
    with _lock:
        env = {
            **os.environ,
            # the same package as this process's, wherever it was imported from
            "PYTHONPATH": os.pathsep.join(
                filter(None, (str(REPO_ROOT), os.environ.get("PYTHONPATH")))
            ),
        }
        if _worker is not None and (
            _worker.poll() is not None or _depends_on(env) != _depends_on(_worker_env)
        ):
            _finish(_worker)
            _worker = None
        if _worker is None:
            _worker = subprocess.Popen(
                [sys.executable, "-m", "orchestration.defs.quality.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            _worker_env = env
            atexit.register(_finish, _worker)
        return _worker


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
        worker.wait()


def _finish(worker: subprocess.Popen, timeout_s: float = DOCS_TIMEOUT_S) -> None:
    """Let the worker end the Data Docs of its last answer (stdin closed: it exits when
    done), then stop it if it has not within `timeout_s`. One never asked is stopped."""
    if worker.poll() is None and worker in _asked:
        try:
            worker.stdin.close()
            worker.wait(timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            pass
    _stop(worker)


def _failed(suite: Suite, error: str) -> Outcome:
    return Outcome(
        suite=suite.name,
        table=suite.asset_path[-1],
        success=False,
        row_count=0,
        evaluated=0,
        failures=[],
        error=error,
    )


def validate_all(suites: list[Suite], warehouse: Path, *, incremental: bool) -> list[Outcome]:
    """`runner.validate_all()` in the worker: the same outcomes, the same Data Docs
    (rendered after the answer, while the run goes on)."""
    worker = start()
    request = {
        "suites": [s.name for s in suites],
        "warehouse": str(warehouse),
        "incremental": incremental,
    }
    _asked.add(worker)
    try:
        worker.stdin.write(json.dumps(request) + "\n")
        worker.stdin.flush()
        answer = worker.stdout.readline()
    except BrokenPipeError:
        answer = ""
    except BaseException:  # the run is stopped: so is the worker
        _stop(worker)
        raise
    if not answer:
        code = worker.wait()
        return [_failed(s, f"the GX worker process exited with code {code}") for s in suites]
    return [_outcome(o) for o in json.loads(answer)]


def _outcome(data: dict) -> Outcome:
    failures = [Failure(**f) for f in data["failures"]]
    return Outcome(**{**data, "failures": failures, "docs_resources": ()})


def _encoded(outcome: Outcome) -> dict:
    data = asdict(outcome)
    data["docs_resources"] = ()  # GX's page identifiers: for the worker's Data Docs only
    data["since"] = None if outcome.since is None else str(outcome.since)
    return data


def main() -> int:
    """Import GX and make its context, then validate each request from stdin."""
    # At a lower priority: while dbt keeps both cores busy (a full build's large
    # models), the import waits for it; beside dbt's single-threaded Python (a day's
    # small models and tests) it takes the idle core. When it validates, the run waits
    # for it, so nothing competes.
    os.nice(NICENESS)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # any other output: stderr

    from orchestration.defs.quality import runner
    from orchestration.defs.quality.suites import SUITES

    by_name = {suite.name: suite for suite in SUITES.values()}
    runner.prepare_gx()
    for line in sys.stdin:
        request = json.loads(line)
        outcomes = runner.validate_all(
            [by_name[name] for name in request["suites"]],
            Path(request["warehouse"]),
            incremental=request["incremental"],
            docs=False,
        )
        answers.write(json.dumps([_encoded(o) for o in outcomes], default=str) + "\n")
        answers.flush()
        # the run goes on meanwhile: the Data Docs read GX's stores, not the warehouse
        try:
            runner.build_docs(outcomes)
        except Exception:  # noqa: BLE001 - the checks' outcomes stand; the log says why
            traceback.print_exc()
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except BaseException:  # noqa: BLE001 - the traceback goes to stderr, the run reports the exit
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    # no interpreter teardown: DuckDB's Python objects would each report a leak on it
    os._exit(code)
