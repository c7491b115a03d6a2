"""The dbt resource: dbt runs inside the Dagster process, parsed once per run.

dagster-dbt's ``DbtCliResource.cli()`` starts a ``dbt`` process per command. Each one
pays ~3 s of imports, ~1.5 s of parsing (from the partial-parse file) and ~0.7 s of
exit before and after its work, twice a run here (the models, then the funnel marts):
most of what a run with nothing new costs. ``ProjectDbtCliResource.build()`` runs the
same command through dbt's programmatic entry point (``dbtRunner``) instead:

- the same arguments, selection and per-invocation target folder ``cli()`` would use
  (dagster-dbt's own helpers compute them), so ``run_results.json`` and ``dbt.log`` land
  where they did;
- the project is parsed once per Dagster run and the manifest handed to each command,
  as dbt's docs on programmatic invocations advise; a run whose project, code and
  engines are those of the last parse loads that parse instead (``parse.load_parsed``);
- dbt's structured events are turned into Dagster events by dagster-dbt's own
  converter (``DbtCoreCliEventMessage``): an ``Output`` per model or seed, an
  ``AssetCheckResult`` per test, as a ``dbt`` process's JSON log would give. dbt runs
  in a thread and each event is yielded as the node ends, so the UI shows the build
  going; a stopped run stops dbt as Ctrl-C does (``_stop``);
- a failed node or test fails the step after every event has been yielded, with dbt's
  error messages, as ``cli()`` does.

``cli()`` still works (any ``dbt`` command from an asset of one's own) and skips two
start-up costs this project does not use:

- dagster-dbt learns the dbt version by running ``dbt --version`` once per resource
  instance; the installed dbt-core package's metadata gives the same answer.
- Before each command it loads a dbt adapter inside the Dagster process, only for
  ``fetch_row_counts()`` and ``fetch_column_metadata()``, which this project does not
  call: ``orchestration.defs.dbt.assets`` reads each model's row count and columns from
  dbt's own database (``dbt_database()``) as the model ends.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import queue
import re
import shutil
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from packaging import version

from orchestration.defs.dbt.parse import (
    PARTIAL_PARSE_FILE,
    load_parsed,
    parse_fingerprint,
    project_target,
    store_parsed,
)
from orchestration.settings import environment, parse_environment

# Invocation folders kept per step (its run_results.json, dbt.log, compiled SQL); older
# ones are removed, or every run would leave ~4 MB behind for good.
KEEP_INVOCATIONS = 10

# The parsed project of the current Dagster run, keyed by (run id, project folder).
_manifests: dict[tuple[str, str], Any] = {}


class ProjectDbtCliResource(DbtCliResource):
    """``DbtCliResource`` for the dbt-core installed beside this package."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        # dagster-dbt runs the command without an adapter when this returns nothing
        # (as when loading one fails); only the adapter-backed fetches would need it.
        return None

    def build(self, args: Sequence[str], *, context: AssetExecutionContext) -> Iterator[Any]:
        """Run ``dbt <args>`` in this process for the assets selected in ``context`` and
        yield their Dagster events; raise ``DagsterDbtCliRuntimeError`` at the end when
        dbt failed."""
        cleaned, runtime_selects, runtime_excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest={},
            dagster_dbt_translator=DagsterDbtTranslator(),
            runtime_selects=runtime_selects,
            runtime_excludes=runtime_excludes,
        )
        project_dir = Path(
            params.dbt_project.project_dir if params.dbt_project else self.project_dir
        ).resolve()
        target_path = self._get_unique_target_path(context=context)
        if not target_path.is_absolute():
            target_path = project_dir / target_path

        common = [
            *self.global_config_flags,
            # nothing on stdout: dbt's log is dbt.log in the invocation folder, and its
            # errors reach Dagster (and make run's summary) through the callback
            "--log-level",
            "none",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(self.profiles_dir or project_dir),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path),
            *(["--profile", self.profile] if self.profile else []),
            *(["--target", self.target] if self.target else []),
        ]
        manifest = self._parsed_manifest(context.run.run_id, project_dir, target_path, common)
        # No JSON artifact from dbt: nothing reads an invocation's copy of the manifest,
        # which cost 0.5 s a run; its run_results.json is written from the result below.
        argv = [*cleaned, "--no-write-json", *common, *params.selection_args]
        if params.indirect_selection:
            argv += ["--indirect-selection", params.indirect_selection]
        context.log.info(f"Running dbt in process: `dbt {' '.join(argv)}`.")

        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        # dbt runs in a thread of its own; its node results reach this generator through
        # a queue and are yielded as they happen, so Dagster shows each model and test as
        # it finishes. Only the step's own thread may yield Dagster events.
        results: queue.Queue[dict[str, Any] | None] = queue.Queue()
        errors: list[str] = []
        keep_errors = _collect_errors(errors)
        outcome: dict[str, Any] = {}

        def collect(message: Any) -> None:
            keep_errors(message)
            # dagster-dbt's converter makes events of node results only; the rest of
            # dbt's events (hundreds) need not be turned into dicts
            if message.info.name in RESULT_EVENTS:
                results.put(msg_to_dict(message))

        def invoke() -> None:
            try:
                outcome["result"] = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(argv)
            finally:
                results.put(None)

        thread = threading.Thread(target=invoke, name="dbt", daemon=True)
        started = time.monotonic()
        _running.add(thread)
        thread.start()
        try:
            while (raw := results.get()) is not None:
                yield from DbtCoreCliEventMessage(
                    raw_event=raw, event_history_metadata={}
                ).to_default_asset_events(
                    manifest=params.manifest,
                    dagster_dbt_translator=params.dagster_dbt_translator,
                    context=context,
                    target_path=target_path,
                    project=params.dbt_project,
                )
        except BaseException:
            # SIGINT/SIGTERM (Dagster's interrupt), or the step stopped reading: dbt stops
            # as on Ctrl-C, then the warehouse is released for the rest of the run
            _stop(thread)
            release_warehouse(interrupt=True)
            raise
        thread.join()
        _running.discard(thread)
        release_warehouse()
        result = outcome["result"]
        if hasattr(result.result, "write"):  # as dbt writes it, interrupted runs aside
            result.result.write(str(target_path / "run_results.json"))
        context.log.info(f"{DBT_ENDED} in {time.monotonic() - started:.1f} s.")
        if _is_interrupt(result.exception):
            raise result.exception  # SIGINT/SIGTERM: the run stops, it did not "fail"
        _prune_invocations(target_path)
        if not result.success:
            detail = "\n\n".join(errors) or repr(result.exception)
            raise DagsterDbtCliRuntimeError(
                description=f"dbt {' '.join(cleaned)} failed: {_first_error(errors, result)}"
                f"\n\n{detail}"
            )

    def _parsed_manifest(
        self, run_id: str, project_dir: Path, target_path: Path, common: list[str]
    ) -> Any:
        """The project parsed once per run, and the next command of the same run reuses
        the result; a run whose project is as the last parse found it loads that parse
        (``parse.load_parsed``) instead of asking dbt again."""
        key = (run_id, str(project_dir))
        if key not in _manifests:
            fingerprint = parse_fingerprint(project_dir, common)
            manifest = load_parsed(project_target(project_dir), fingerprint)
            if manifest is None:
                manifest = self._parse(project_dir, target_path, common, run_id)
                store_parsed(project_target(project_dir), fingerprint, manifest)
            _manifests.clear()  # keep only the current run's
            _manifests[key] = manifest
        return _manifests[key]

    def _parse(self, project_dir: Path, target_path: Path, common: list[str], run_id: str) -> Any:
        """dbt's parse of the project: partial, from the project's partial-parse file,
        which it then replaces if dbt had to parse files again."""
        from dbt.cli.main import dbtRunner

        # Start from the project's partial-parse file, as cli() does.
        partial_parse = project_target(project_dir) / PARTIAL_PARSE_FILE
        if partial_parse.exists() and not (target_path / PARTIAL_PARSE_FILE).exists():
            target_path.mkdir(parents=True, exist_ok=True)
            shutil.copy(partial_parse, target_path / PARTIAL_PARSE_FILE)
        errors: list[str] = []
        with environment(parse_environment()), _interrupts_redelivered():
            parsed = dbtRunner(callbacks=[_collect_errors(errors)]).invoke(
                ["parse", "--no-write-json", *common]
            )
        if _is_interrupt(parsed.exception):
            raise parsed.exception
        if not parsed.success:
            detail = "\n\n".join(errors) or repr(parsed.exception)
            raise DagsterDbtCliRuntimeError(description=f"dbt parse failed:\n\n{detail}")
        # dbt parses everything again when a project file or the profile changed
        # since the partial-parse file was written: hand the fresh one to the next
        # run, swapped in whole so a concurrent reader never sees half a file.
        fresh = target_path / PARTIAL_PARSE_FILE
        if fresh.exists():
            project_target(project_dir).mkdir(parents=True, exist_ok=True)
            staged = project_target(project_dir) / f".{PARTIAL_PARSE_FILE}.{run_id[:8]}"
            shutil.copy(fresh, staged)
            os.replace(staged, project_target(project_dir) / PARTIAL_PARSE_FILE)
        return parsed.result


# Logged when dbt's command has ended; its nodes' events were yielded before.
DBT_ENDED = "dbt ended"
# How long an interrupted build may take to stop its queries.
STOP_TIMEOUT_S = 30

# The events DbtCoreCliEventMessage.is_result_event accepts (it still checks each one).
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


# dbt threads started and not yet ended: stopped before the process exits
_running: set[threading.Thread] = set()


@atexit.register
def _stop_running_builds() -> None:
    """Stop a dbt build still running when the process exits. A signal can stop a run
    while its step's generator waits between two events: Dagster fails the step and the
    run ends without the generator being closed, so dbt's thread is still running. Left
    to the interpreter's exit, a thread inside a DuckDB query is torn down in C++ code
    and the process aborts (SIGABRT, "exception not rethrown"). atexit handlers run
    before that."""
    alive = [thread for thread in _running if thread.is_alive()]
    for thread in alive:
        _stop(thread)
    if alive:
        release_warehouse(interrupt=True)


def _stop(thread: threading.Thread, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Stop dbt's thread as Ctrl-C stops dbt: a KeyboardInterrupt raised in the thread
    (dbt then cancels its queries and skips the remaining nodes), and the running
    queries cancelled meanwhile so that it sees the interrupt at once."""
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
        )
    deadline = time.monotonic() + timeout_s
    while thread.is_alive() and time.monotonic() < deadline:
        from dbt.adapters.factory import FACTORY

        for adapter in list(FACTORY.adapters.values()):
            adapter.cancel_open_connections()
        thread.join(0.1)


INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _interrupts_redelivered() -> Iterator[None]:
    """Deliver SIGINT/SIGTERM once more when the block ends, if one arrived inside it.

    dbt can lose an interrupt: one that lands while dbt decodes its partial-parse file
    is caught inside mashumaro's decoder, dbt takes it for an unreadable file, parses
    the project in full and goes on, so the run would go on too (measured: a SIGTERM
    1.3-2.0 s into the parse). Here the signal still reaches the handler in place
    (Dagster's: it raises or records the interrupt), and reaches it again after dbt
    returned. Main thread only, where Python runs signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[tuple[int, Any]] = []
    previous = {signum: signal.getsignal(signum) for signum in INTERRUPTS}

    def deliver(signum: int, frame: Any) -> None:
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        elif handler != signal.SIG_IGN:  # no Python handler: stop as Ctrl-C stops
            raise KeyboardInterrupt(signal.Signals(signum).name)

    def record(signum: int, frame: Any) -> None:
        received.append((signum, frame))
        deliver(signum, frame)

    for signum in INTERRUPTS:
        signal.signal(signum, record)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:
        deliver(*received[0])


def _is_interrupt(exc: BaseException | None) -> bool:
    """KeyboardInterrupt, or Dagster's DagsterExecutionInterruptedError (what a step sees
    of SIGINT/SIGTERM): BaseExceptions that are not errors."""
    return isinstance(exc, BaseException) and not isinstance(exc, Exception)


def _first_error(errors: list[str], result: Any) -> str:
    """One line: dbt's first error that names a node, with the line after it (the cause:
    "Runtime Error in model m (...): Binder Error: ...", "Failure in test t (...): Got 3
    results ..."), else its first error, else the exception."""
    lines = [
        line.strip()
        for text in errors
        for line in _ANSI.sub("", text).splitlines()
        if line.strip() and not line.strip().startswith("compiled code at")
    ]
    named = [i for i, line in enumerate(lines) if " in " in line and "Error" in line]
    named = named or [i for i, line in enumerate(lines) if " in " in line and "Failure" in line]
    if named:
        return ": ".join(lines[named[0] : named[0] + 2])
    return (lines or [repr(result.exception)])[0]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _collect_errors(errors: list[str]) -> Any:
    """A dbt callback keeping the text of every error-level event."""

    def collect(message: Any) -> None:
        if message.info.level == "error":
            errors.append(message.info.msg)

    return collect


def _prune_invocations(current: Path, keep: int = KEEP_INVOCATIONS) -> None:
    """Remove the oldest invocation folders of the step `current` belongs to (named
    ``<step>-<run id>-<uuid>`` by dagster-dbt), keeping the newest `keep`."""
    step = current.name.split("-")[0]
    folders = sorted(
        (p for p in current.parent.glob(f"{step}-*-*") if p.is_dir() and p != current),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[max(keep - 1, 0) :]:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def dbt_database() -> Iterator[Any]:
    """A cursor of the DuckDB database dbt is building in, while it builds (None when dbt
    has none open): what dbt wrote is read there, as no second handle on the file may be
    opened in this process meanwhile."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    conn = getattr(env, "conn", None)
    if conn is None:
        yield None
        return
    cursor = conn.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def release_warehouse(interrupt: bool = False) -> None:
    """Close dbt-duckdb's database so the rest of the run may open the warehouse file
    (DuckDB refuses a second configuration of one file in a process).

    interrupt: the run is being stopped while dbt's threads may still run a query on
    the connection: cancel it, then close once the connection is free (DuckDB refuses
    to close a busy connection)."""
    import duckdb
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        conn = getattr(env, "conn", None)
        for _ in range(100):
            if interrupt and conn is not None:
                conn.interrupt()
            try:
                env.close()
                break
            except duckdb.Error:
                if not interrupt:
                    raise
                time.sleep(0.1)
    DuckDBConnectionManager.close_all_connections()
