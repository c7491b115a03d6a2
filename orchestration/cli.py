"""``python -m orchestration.cli run``: what ``make run`` does.

Runs the ``build_everything`` job of the Dagster definitions in process (the same
assets, checks and resources ``dagster dev`` shows), then prints a short summary read
back from the warehouse. Exits non-zero when the run failed, e.g. a blocking check.

Quiet by default: one line per step, the summary, and one line per failure (what,
where, what to do). Everything else (Dagster's messages, dbt's and GX's detail, stack
traces) goes to a log file under ``build/logs/``, whose path is printed; ``--verbose``
prints Dagster's own console log as well.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import signal
import socket
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration import settings
from orchestration.defs.warehouse.files import (
    HOST_TAG,
    NOTHING_NEW,
    PID_TAG,
    WarehouseError,
    WriterLock,
    build_inputs,
    build_stamp,
    nothing_new_since_publish,
    prepare_build_file,
    seeds_loaded_from,
)
from orchestration.summary import print_summary

LOG_DIR = settings.REPO_ROOT / "build" / "logs"
KEEP_LOGS = 20


def _log_file() -> Path:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    logs = sorted(LOG_DIR.glob("run-*.log"))
    for old in logs[: max(len(logs) - KEEP_LOGS + 1, 0)]:
        old.unlink(missing_ok=True)
    return LOG_DIR / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}.log"


_stopped_by: list[str] = []


def _stop(signum, _frame):
    # SIGTERM as SIGINT: Dagster then ends the run as interrupted, its steps' `finally`
    # blocks run and the writer lock is let go
    _stopped_by.append(signal.Signals(signum).name)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _fail(reason: str, detail: str, started: float) -> int:
    print(f"ERROR {detail}", file=sys.stderr)
    print(f"RUN FAILED ({reason}) after {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 1


def preflight() -> bool:
    """What can be told in one line before Dagster starts: the landing folder exists,
    the warehouse can be written, nobody else is writing it (waits, bounded). Returns
    whether there is nothing to do (``_nothing_new``)."""
    from orchestration.defs.landing.dumps import missing_raw_dir_message

    raw = settings.raw_data_dir()
    if not raw.is_dir():
        raise WarehouseError(missing_raw_dir_message(raw))
    build = settings.build_path()
    lock = WriterLock(build)
    lock.acquire("make run (pre-flight)", on_wait=lambda line: print(f"  {line}", flush=True))
    try:
        prepare_build_file(settings.warehouse_path(), build)
        return _nothing_new(raw, settings.warehouse_path(), build)
    finally:
        lock.release()


def _nothing_new(raw: Path, published: Path, build: Path) -> bool:
    """Nothing to land (every dump file is one the manifest holds) and the published
    file is what the last run published, from the same code and key: the run's steps
    would all skip, so neither Dagster nor dbt is started."""
    from orchestration.defs.landing.dumps import nothing_to_land

    if not nothing_new_since_publish(published, build, build_inputs(build_stamp(published))):
        return False
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return nothing_to_land(con, raw)
    except duckdb.Error:
        return False


def _unchanged(started: float) -> int:
    """The end of a run with nothing new: the published warehouse's figures, no run."""
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        print_summary(con, sys.stdout, new_lines=dict.fromkeys(settings.SOURCES, 0))
    print("\n== Checks: not run; the last run's results stand (make dev shows them) ==")
    elapsed = time.monotonic() - started
    print(
        f"\nRUN OK in {elapsed:.1f} s: {settings.warehouse_path()} unchanged ({NOTHING_NEW}; "
        "no Dagster run started)"
    )
    return 0


def _without_loaded_seeds(defs) -> list | None:
    """Every asset but the seeds when the build file holds them, loaded and tested by
    the same code (``seeds_loaded_from``): they and their tests would give what they gave
    (26 dbt nodes, the first of the dbt step, and 66 Dagster events). None: every asset."""
    from dagster import AssetSelection

    from orchestration.defs.dbt.assets import SEEDS_GROUP

    inputs = build_inputs(build_stamp(settings.warehouse_path()))
    try:
        with duckdb.connect(str(settings.build_path()), read_only=True) as con:
            if not seeds_loaded_from(con, inputs):
                return None
    except duckdb.Error:  # held by another writer: the run will say so
        return None
    everything_else = AssetSelection.all() - AssetSelection.groups(SEEDS_GROUP)
    return sorted(everything_else.resolve(defs.resolve_asset_graph()))


def load_job() -> tuple[Any, Any, list | None]:
    """What a run needs once the pre-flight found work: Dagster's instance, the
    build_everything job and the assets it builds (``_without_loaded_seeds``)."""
    # GX's process imports GX (3-4 s of CPU) while this one imports Dagster and the
    # definitions on the other core (orchestration/defs/quality/worker.py)
    from orchestration.defs.quality import worker as gx_worker

    gx_worker.start()

    # Imported here so `--help` and the pre-flight answer before the definitions load.
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    instance = DagsterInstance.get()  # $DAGSTER_HOME, set by the Makefile
    return instance, defs.resolve_job_def("build_everything"), _without_loaded_seeds(defs)


def run(verbose: bool = False) -> int:
    started = time.monotonic()
    log_path = _log_file()
    logging.basicConfig(
        filename=log_path, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"warehouse {settings.warehouse_path()}  (landing folder {settings.raw_data_dir()})")
    print(f"log       {log_path}", flush=True)
    try:
        if preflight():
            return _unchanged(started)
    except WarehouseError as exc:
        return _fail("nothing was run", str(exc), started)

    instance, job, selection = load_job()
    from dagster import AssetCheckSeverity

    from orchestration.summary import print_checks

    loggers: dict = {"progress": {}, "file": {"config": {"path": str(log_path)}}}
    if verbose:
        loggers["console"] = {"config": {"log_level": "INFO"}}
    try:
        result = job.execute_in_process(
            instance=instance,
            asset_selection=selection,
            raise_on_error=False,
            tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
            run_config={"loggers": loggers},
        )
    except KeyboardInterrupt:
        _stopped_by.append("SIGINT")
    else:
        from orchestration.loggers import was_interrupted

        if any(
            was_interrupted(e.step_failure_data.error)
            for e in result.all_events
            if e.is_step_failure and e.step_failure_data.error is not None
        ):
            _stopped_by.append("a signal")
    if _stopped_by:
        return _fail(
            f"stopped by {_stopped_by[0]}",
            "the run was stopped; nothing was published, and the next run continues from "
            "what it completed",
            started,
        )

    new_lines = {
        event.asset_key.path[-1].removesuffix("_lines"): event.metadata["new_lines"].value
        for event in (e.materialization for e in result.get_asset_materialization_events())
        if event.asset_key.path[0] == "raw" and "new_lines" in event.metadata
    }
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    # The build file holds what this run did, published or not; it may be held by
    # another writer when the run could not start: then the published state.
    for path in (settings.build_path(), settings.warehouse_path()):
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                print_summary(con, sys.stdout, new_lines=new_lines)
            break
        except duckdb.Error:
            continue
    print_checks(checks, sys.stdout)
    elapsed = time.monotonic() - started
    blocking = [c for c in checks if not c.passed and c.severity == AssetCheckSeverity.ERROR]
    published = any(
        e.asset_key.path == ["published_warehouse"]
        for e in (m.materialization for m in result.get_asset_materialization_events())
    )
    print("\n== Next ==")
    print(f"  log: {log_path}")
    print("  UI: make dev (http://127.0.0.1:3000) · notebooks: make notebooks · docs: make docs")
    if not result.success or blocking:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        failed += [f"check {c.check_name}" for c in blocking]
        print(
            f"\nRUN FAILED ({', '.join(failed) or 'unknown'}) after {elapsed:.1f} s; "
            f"{settings.warehouse_path()} still holds the last published state",
            file=sys.stderr,
        )
        return 1
    skipped = any(
        e.event_type_value == "STEP_SKIPPED" and e.step_key == "published_warehouse"
        for e in result.all_events
    )
    state = (
        "published"
        if published
        else "unchanged (nothing new since the last publish: no build, no checks)"
        if skipped
        else "not published"
    )
    print(f"\nRUN OK in {elapsed:.1f} s: {settings.warehouse_path()} {state}")
    return 0


def parse() -> int:
    """``make manifest``: parse the dbt project as a run parses it, so that the run's own
    parse is partial; the manifest is swapped in whole (``defs/dbt/parse.py``). The build
    file's folder is created, so that dbt (or sqlfluff's dbt templater) run by hand can
    open the warehouse on a fresh clone."""
    settings.build_path().parent.mkdir(parents=True, exist_ok=True)
    from orchestration.defs.dbt.parse import DbtParseError, parse_project, project_target

    project = settings.DBT_PROJECT_DIR
    try:
        parse_project(project, project, project_target(project))
    except DbtParseError as error:
        print(f"ERROR {error}")
        return 1
    return 0


def publish_by_hand() -> int:
    """``make publish``: what the ``published_warehouse`` asset does, under the lock."""
    from orchestration.defs.warehouse.files import publish

    build, published = settings.build_path(), settings.warehouse_path()
    if not build.exists():
        print(f"ERROR no build file {build}: run `make run` first", file=sys.stderr)
        return 1
    lock = WriterLock(build)
    try:
        lock.acquire("make publish", on_wait=print)
        changed = publish(published, build)
    except WarehouseError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    finally:
        lock.release()
    print(f"published {published}" if changed else f"{published} is up to date")
    return 0


SEGMENT_COLUMNS = "segment_id, contact_id, source_system, qualified_at, judged_at"


def export_segment(segment_id: str, fmt: str, out: Path) -> int:
    """``export-segment``: the contacts of one segment of the published warehouse's
    mart_contact_segments, written as CSV or Parquet for re-import into the vendor tools.
    Contact ids carry no clear-text email or phone (keyed pseudonyms, as in every
    published table)."""
    published = settings.warehouse_path()
    if not published.exists():
        print(f"ERROR no warehouse at {published}: run `make run` first", file=sys.stderr)
        return 1
    literal = "'" + segment_id.replace("'", "''") + "'"
    with duckdb.connect(str(published), read_only=True) as con:
        try:
            segments = [row[0] for row in con.execute(
                "select distinct segment_id from mart_contact_segments order by 1"
            ).fetchall()]  # fmt: skip
        except duckdb.CatalogException:
            print(
                f"ERROR {published} has no mart_contact_segments: run `make run`", file=sys.stderr
            )
            return 1
        if segment_id not in segments:
            print(
                f"ERROR no segment {segment_id!r} in {published}; its segments: "
                f"{', '.join(segments) or 'none'}",
                file=sys.stderr,
            )
            return 1
        out.parent.mkdir(parents=True, exist_ok=True)
        options = "format csv, header true" if fmt == "csv" else "format parquet"
        target = "'" + str(out).replace("'", "''") + "'"
        # COPY answers the number of rows it wrote
        count = con.execute(
            f"copy (select {SEGMENT_COLUMNS} from mart_contact_segments "
            f"where segment_id = {literal} order by contact_id) to {target} ({options})"
        ).fetchall()[0][0]
    print(f"wrote {count} contacts of segment {segment_id} to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="land every dump, build every model, run every check")
    run_parser.add_argument(
        "--verbose", action="store_true", help="also print Dagster's log (stack traces too)"
    )
    sub.add_parser("parse", help="parse the dbt project (dagster-dbt reads its manifest)")
    sub.add_parser("publish", help="publish the build file (after dbt run by hand)")
    sub.add_parser("summary", help="print the summary of the published warehouse")
    export = sub.add_parser(
        "export-segment", help="write a segment's contacts (mart_contact_segments) to a file"
    )
    export.add_argument("segment_id", help="e.g. carted_not_purchased, category_interest:shoes")
    export.add_argument("--format", choices=("csv", "parquet"), default="csv")
    export.add_argument("--out", type=Path, required=True, help="the file to write")
    args = parser.parse_args(argv)
    if args.command == "export-segment":
        return export_segment(args.segment_id, args.format, args.out)
    if args.command == "run":
        started = time.monotonic()
        try:
            return run(verbose=args.verbose)
        except KeyboardInterrupt:  # outside the job: waiting for the lock, the summary
            return _fail(
                f"stopped by {_stopped_by[0] if _stopped_by else 'SIGINT'}",
                "the run was stopped before or after its steps; nothing more to do",
                started,
            )
    if args.command == "parse":
        return parse()
    if args.command == "publish":
        return publish_by_hand()
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        print_summary(con, sys.stdout)
    return 0


if __name__ == "__main__":
    code = main()
    # End without the interpreter's teardown of the thousands of modules and objects a
    # run loads (dbt, Dagster, GX): 3-4 s after every run, measured. What the command
    # wrote is closed by now; the streams are flushed and the exit handlers run first
    # (logging's flush, the stop of a dbt build still running: defs/dbt/resource.py).
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)
