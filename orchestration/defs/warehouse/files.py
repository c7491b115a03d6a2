"""The warehouse's two files, its one writer at a time, and what a dead run leaves.

DuckDB lets one process write a file, and no other process open it while it does;
a reader holding a read-only connection (a notebook kernel, a SQL client, a BI tool)
in turn stops any writer from opening it. So builds never write the file readers
open:

- **The build file** (``<folder>/.build/<name>``, ``settings.build_path()``) is what
  landing, dbt and the checks write. It persists between runs: incremental models
  continue from it, and a run that fails leaves it as it was, to be continued.
- **The published file** (``$WAREHOUSE_PATH``) is a copy of the build file, made at
  the end of every run in which everything upstream succeeded (the
  ``published_warehouse`` asset): copied beside it, then renamed over it. A reader
  that holds the old file keeps reading the old, whole state; the next connection
  sees the new one. When there is no build file yet, the first run starts from the
  published file (a warehouse made before the build file existed, or a copy).

**One writer**: a run takes an exclusive ``flock`` on ``<build file>.lock`` before it
touches the build file, and writes who it is (run id, PID, host, since) into it. The
kernel drops the lock when the process dies, however it dies, so a killed run never
keeps the warehouse. A run that finds the lock taken says who holds it, waits up to
``$WAREHOUSE_LOCK_TIMEOUT`` seconds (default 900), then fails with one line.

**Dead runs**: a killed run stays ``STARTED`` in Dagster's storage (nothing is left
to report its end), which keeps Dagster's run queue full. ``recover_dead_runs()``
marks every such run whose process is gone as failed and frees any concurrency slot
it held; each run calls it when it takes the lock, and a sensor calls it in
``dagster dev``.

**Nothing new, nothing to do**: publishing records, beside the build file, both files'
size and time and the fingerprint of what built it (``build_inputs``: the dbt
project's files, this package's code, the engines' versions, the build stamp). A run
whose landing added nothing finds the build file as it was published, and the same
fingerprint: it has nothing to build, check or publish (``nothing_new_since_publish``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration import settings

PID_TAG = "warehouse/pid"
HOST_TAG = "warehouse/host"
DEFAULT_LOCK_TIMEOUT_S = 900.0
POLL_S = 0.5


class WarehouseError(Exception):
    """A failure with one line that says what happened, where, and what to do."""


def lock_timeout() -> float:
    return float(os.environ.get("WAREHOUSE_LOCK_TIMEOUT") or DEFAULT_LOCK_TIMEOUT_S)


def lock_path(build: Path) -> Path:
    return build.with_name(build.name + ".lock")


@dataclass(frozen=True)
class Holder:
    """Who holds the writer lock, as the holder wrote it."""

    run_id: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return f"run {self.run_id} (PID {self.pid} on {self.host}, since {self.since})"


def read_holder(build: Path) -> Holder | None:
    try:
        return Holder(**json.loads(lock_path(build).read_text()))
    except (OSError, ValueError, TypeError):
        return None


class WriterLock:
    """The exclusive right to write the build file, held for one run."""

    def __init__(self, build: Path) -> None:
        self.build = build
        self._fd: int | None = None

    def acquire(
        self,
        run_id: str,
        timeout: float | None = None,
        on_wait: Callable[[str], None] = lambda _: None,
    ) -> None:
        """Take the lock, waiting up to `timeout` seconds; `on_wait` hears once who
        holds it. Raises WarehouseError when it stays taken."""
        timeout = lock_timeout() if timeout is None else timeout
        path = lock_path(self.build)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WarehouseError(
                f"cannot create the warehouse's lock file {path}: {exc.strerror}; "
                "make its folder writable or set WAREHOUSE_PATH to a writable place"
            ) from None
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = read_holder(self.build)
                who = holder.describe() if holder else "another process"
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WarehouseError(
                        f"the warehouse {self.build} is being written by {who}; gave up "
                        f"after {timeout:.0f} s (WAREHOUSE_LOCK_TIMEOUT): wait for it to "
                        "end, or stop it, then run again"
                    ) from None
                if not told:
                    on_wait(
                        f"waiting up to {timeout:.0f} s for {who}, which is writing {self.build}"
                    )
                    told = True
                time.sleep(POLL_S)
        holder = Holder(
            run_id=run_id,
            pid=os.getpid(),
            host=socket.gethostname(),
            since=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder.__dict__).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def prepare_build_file(published: Path, build: Path) -> None:
    """Make sure the build file's folder exists; with no build file yet, start it from
    the published file when there is one. Then check that it can be written: a
    problem (a read-only folder, another program holding the file) is one line."""
    try:
        build.parent.mkdir(parents=True, exist_ok=True)
        if not build.exists() and published.exists():
            shutil.copyfile(published, build)
            if _wal(published).exists():
                shutil.copyfile(_wal(published), _wal(build))
    except OSError as exc:
        raise WarehouseError(
            f"cannot prepare the warehouse's build file {build}: {exc.strerror}; "
            "make its folder writable or set WAREHOUSE_PATH to a writable place"
        ) from None
    try:
        duckdb.connect(str(build), config=settings.duckdb_config()).close()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise WarehouseError(
            f"cannot open the warehouse's build file {build} for writing: {first}"
        ) from None


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _publish_record(build: Path) -> Path:
    return build.with_name(build.name + ".published")


# what the build's output depends on besides the landed lines
INPUT_FOLDERS = ("models", "macros", "seeds", "tests")
INPUT_FILES = ("dbt_project.yml", "profiles.yml")
ENGINES = ("dbt-core", "dbt-duckdb", "duckdb", "dagster", "dagster-dbt", "great-expectations")


def project_files(project: Path | None = None) -> list[Path]:
    """The dbt project's own files (not what dbt writes: target/, logs/); `project`: the
    project's folder, settings.DBT_PROJECT_DIR when not given."""
    project = project or settings.DBT_PROJECT_DIR
    files = [project / name for name in INPUT_FILES]
    for folder in INPUT_FOLDERS:
        files += [f for f in (project / folder).rglob("*") if f.is_file()]
    return files


def build_inputs(stamp: str, project: Path | None = None) -> str:
    """A fingerprint of everything a build's output depends on but the landed lines: the
    dbt project's files (`project_files`), this package's code, the engines' versions,
    the build stamp."""
    from importlib.metadata import version

    project = project or settings.DBT_PROJECT_DIR
    package = Path(settings.__file__).parent
    files = [(project, f) for f in project_files(project)]
    files += [(package, f) for f in package.rglob("*.py")]
    digest = hashlib.sha256(stamp.encode())
    for root, path in sorted(files):
        digest.update(f"{root.name}/{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes() + b"\0")
    for engine in ENGINES:
        digest.update(f"{engine} {version(engine)}\0".encode())
    return digest.hexdigest()


# no line landed and no change to the project since the last publish (the last results stand)
NOTHING_NEW = "nothing new since the last publish: nothing to build, check or publish"


def nothing_new_since_publish(published: Path, build: Path, inputs: str) -> bool:
    """Whether the published file holds the build file as it is now (nothing written to
    it since, not even a write-ahead log) and was built from `inputs`."""
    record = _publish_record(build)
    if not (published.exists() and build.exists() and record.exists()) or _wal(build).exists():
        return False
    return record.read_text() == _record_text(published, build, inputs)


def _record_text(published: Path, build: Path, inputs: str) -> str:
    """Both files' size and time (a file copied over the published one by hand is not
    the published state), then what built them."""
    return f"{_stamp(build)}\n{_stamp(published)}\n{inputs}"


def publish(published: Path, build: Path, inputs: str = "") -> bool:
    """Replace the published file with a copy of the build file, atomically; record its
    state and `inputs` (``build_inputs``) beside it. Returns False when the published
    file already is the build file's current state."""
    with duckdb.connect(str(build), config=settings.duckdb_config()) as con:
        con.execute("checkpoint")
    if _wal(build).exists():
        raise WarehouseError(
            f"the build file {build} still has a write-ahead log after a checkpoint: "
            "another connection holds it; nothing was published"
        )
    record = _publish_record(build)
    stamp = _stamp(build)
    if published.exists() and record.exists():
        recorded = record.read_text().split("\n")
        if recorded[:2] == [stamp, _stamp(published)]:
            record.write_text(_record_text(published, build, inputs))
            return False
    staged = published.with_name(f".{published.name}.publishing-{os.getpid()}")
    try:
        shutil.copyfile(build, staged)
        with staged.open("rb+") as handle:
            os.fsync(handle.fileno())
        # A log left by a writer that crashed on the published file would be replayed
        # onto the new file: drop it first (a reader opening in between sees the
        # file's last checkpoint, an older but whole state).
        _wal(published).unlink(missing_ok=True)
        os.replace(staged, published)
    finally:
        staged.unlink(missing_ok=True)
    record.write_text(_record_text(published, build, inputs))
    return True


def _process_alive(pid: int, started_at: float | None) -> bool:
    import psutil

    try:
        process = psutil.Process(pid)
        # a PID reused by a process that started after the run is not the run
        return started_at is None or process.create_time() <= started_at + 1
    except psutil.Error:
        return False


def _launched_pid(instance, run_id: str) -> int | None:
    """The PID Dagster's run launcher recorded ("Started process for run (pid: N)")."""
    from dagster import DagsterEventType

    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=20
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.engine_event_data if event else None
        pid = data.metadata.get("pid") if data else None
        if pid is not None:
            return int(pid.value)
    return None


def recover_dead_runs(instance, own_run_id: str | None = None) -> list[str]:
    """Mark as failed every unfinished run of this host whose process is gone, and free
    what it held. Returns one line per run recovered."""
    from dagster import DagsterRunStatus, RunsFilter

    host = socket.gethostname()
    unfinished = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]
    recovered = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=unfinished)):
        run = record.dagster_run
        if run.run_id == own_run_id or run.tags.get(HOST_TAG, host) != host:
            continue
        pid = run.tags.get(PID_TAG) or _launched_pid(instance, run.run_id)
        if pid is None or _process_alive(int(pid), record.start_time):
            continue
        message = f"run {run.run_id} (PID {pid}) ended without reporting: its process is gone"
        instance.report_run_failed(run, message=message + "; marked failed by a later run")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(message)
    return recovered


# What the incremental tables of a build file were built with. An incremental run
# carries new lines only, so a change of either part means every model is rebuilt
# from the landed lines (dbt --full-refresh), which a run does by itself:
# - GENERATION: bumped with a model change that old rows cannot follow (a new column
#   in an incremental table, identifiers computed otherwise);
# - the PII key's fingerprint: a new key changes every pseudonym.
GENERATION = 3  # 3: the product at the event and the item discount on fact_product_events
STAMP_TABLE = "meta.build_stamp"


def build_stamp(published: Path) -> str:
    from orchestration.defs.warehouse.pii import fingerprint, hash_key, key_file

    return f"generation {GENERATION}, PII key {fingerprint(hash_key(key_file(published)))}"


def table_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Whether ``schema.table`` exists in the database `con` opened."""
    schema, _, table = relation.partition(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def _stamp_of(con: duckdb.DuckDBPyConnection, step: str) -> str | None:
    if not table_exists(con, STAMP_TABLE):
        return None
    return con.execute(
        f"select any_value(stamp) from {STAMP_TABLE} where step = ?", [step]
    ).fetchall()[0][0]


def full_refresh_reason(
    con: duckdb.DuckDBPyConnection, step: str, stamp: str, witness: str
) -> str | None:
    """Why the incremental tables one dbt step built in this build file cannot be
    carried on with the current models and key, or None (also when the step never
    built here: `witness`, ``schema.table``, one of its incremental tables, is absent)."""
    if not table_exists(con, witness):
        return None
    old = _stamp_of(con, step)
    if old == stamp:
        return None
    return f"built with {old or 'generation 1'}, now {stamp}"


def stamp_recorded(con: duckdb.DuckDBPyConnection, step: str, stamp: str) -> bool:
    """Whether this build file already says it was built by `step` with `stamp`."""
    return _stamp_of(con, step) == stamp


# The stamp of the seeds: the build inputs (build_inputs()) of the last dbt step that
# loaded and tested them in this build file.
SEEDS = "seeds"


def seeds_loaded_from(con: duckdb.DuckDBPyConnection, inputs: str) -> bool:
    """Whether this build file's seeds were loaded, and passed their tests, with the
    project and engines `inputs` fingerprints: a run of the same code need not load
    them again."""
    return stamp_recorded(con, SEEDS, inputs)


def record_build_stamp(con: duckdb.DuckDBPyConnection, step: str, stamp: str) -> None:
    con.execute("create schema if not exists meta")
    con.execute(
        f"create table if not exists {STAMP_TABLE} (step varchar primary key, stamp varchar)"
    )
    con.execute(f"insert or replace into {STAMP_TABLE} values (?, ?)", [step, stamp])
