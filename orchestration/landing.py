"""Bulk, idempotent landing of raw vendor dumps into DuckDB.

A dump file is read whole by polars (plain or gzip), and its lines go, unparsed, into
``raw.<source>_lines`` together with the file's manifest row in ``raw.landed_files``,
in one transaction. Parsing and rejecting lines is dbt's job: nothing is judged (or
lost) at the door.

A file is identified by the SHA-256 of its bytes: the same content under a second name
is recorded in the manifest as ``duplicate`` and lands no line. A file that cannot be
read (truncated gzip, not UTF-8, permission denied) is recorded as ``failed`` with the
reader's message, lands none of its lines, and does not stop the other files; it is
tried again on the next run.

A file whose name, size and modification time match a manifest row is not read again
(the test rsync and make use): a daily run reads the new dumps, not the whole history.
Any change to the file's size or time, or a file under a new name, is hashed again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from orchestration.settings import SOURCES

log = logging.getLogger(__name__)

LANDING_SCHEMA = "raw"
MANIFEST_TABLE = f"{LANDING_SCHEMA}.landed_files"
DUMP_SUFFIXES = (".jsonl", ".jsonl.gz")


def lines_table(source: str) -> str:
    """The landing table of one source, e.g. ``raw.usercom_lines``."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    return f"{LANDING_SCHEMA}.{source}_lines"


@dataclass(frozen=True)
class FileOutcome:
    raw_file: str
    status: str  # landed | duplicate | already_landed | failed
    line_count: int = 0
    detail: str | None = None


@dataclass
class LandingReport:
    source: str
    outcomes: list[FileOutcome] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def lines_landed(self) -> int:
        return sum(o.line_count for o in self.outcomes if o.status == "landed")

    @property
    def files_landed(self) -> int:
        return self._count("landed")

    @property
    def files_duplicate(self) -> int:
        return self._count("duplicate")

    @property
    def files_already_landed(self) -> int:
        return self._count("already_landed")

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def ensure_landing_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the landing schema, the per-source line tables and the file manifest."""
    con.execute(f"create schema if not exists {LANDING_SCHEMA}")
    for source in SOURCES:
        con.execute(
            f"""
            create table if not exists {lines_table(source)} (
                raw_file varchar not null,
                raw_line_no bigint not null,
                raw_line varchar,
                file_sha256 varchar not null,
                loaded_at timestamp not null
            )
            """
        )
    con.execute(
        f"""
        create table if not exists {MANIFEST_TABLE} (
            source_system varchar not null,
            raw_file varchar not null,
            file_sha256 varchar not null,
            status varchar not null,
            line_count bigint,
            byte_size bigint not null,
            duplicate_of varchar,
            detail varchar,
            seen_at timestamp not null,
            primary key (raw_file, file_sha256)
        )
        """
    )
    # nanoseconds since the epoch; manifests from before it have nulls (hashed again)
    con.execute(f"alter table {MANIFEST_TABLE} add column if not exists file_mtime_ns bigint")


def discover_dump_files(raw_dir: Path, source: str) -> list[Path]:
    """Every ``*.jsonl`` / ``*.jsonl.gz`` under ``<raw_dir>/<source>/``, in name order."""
    base = raw_dir / source
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and p.name.endswith(DUMP_SUFFIXES))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_dump_lines(path: Path) -> pl.DataFrame:
    """All lines of one dump as ``raw_line_no`` (1-based) and ``raw_line``.

    polars decompresses gzip by itself and raises on a truncated stream, so a broken
    file fails here as a whole, before anything is written.
    """
    frame = pl.read_lines(path, name="raw_line", row_index_name="raw_line_no", row_index_offset=1)
    return frame.select(pl.col("raw_line_no").cast(pl.Int64), pl.col("raw_line"))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _record(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    raw_file: str,
    sha: str,
    status: str,
    line_count: int | None,
    byte_size: int,
    mtime_ns: int,
    duplicate_of: str | None = None,
    detail: str | None = None,
) -> None:
    con.execute(
        f"""
        insert or replace into {MANIFEST_TABLE}
            (source_system, raw_file, file_sha256, status, line_count, byte_size,
             file_mtime_ns, duplicate_of, detail, seen_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [source, raw_file, sha, status, line_count, byte_size, mtime_ns, duplicate_of, detail]
        + [_now()],
    )


def land_file(
    con: duckdb.DuckDBPyConnection, source: str, path: Path, raw_dir: Path
) -> FileOutcome:
    """Land one dump file: all of its lines in one transaction, or none of them."""
    raw_file = path.relative_to(raw_dir).as_posix()
    try:
        stat = path.stat()
        byte_size, mtime_ns = stat.st_size, stat.st_mtime_ns
        unchanged = con.execute(
            f"""
            select count(*) from {MANIFEST_TABLE}
            where raw_file = ? and byte_size = ? and file_mtime_ns = ?
                and status in ('landed', 'duplicate')
            """,
            [raw_file, byte_size, mtime_ns],
        ).fetchall()[0][0]
        if unchanged:
            return FileOutcome(raw_file, "already_landed")
        sha = file_sha256(path)
    except OSError as exc:
        detail = f"cannot read {raw_file}: {exc.strerror or exc}"
        log.error(detail)
        return FileOutcome(raw_file, "failed", detail=detail)

    seen = con.execute(
        f"""
        select raw_file, status from {MANIFEST_TABLE}
        where file_sha256 = ? and status in ('landed', 'duplicate')
        order by status = 'landed' desc, raw_file
        """,
        [sha],
    ).fetchall()
    if any(name == raw_file for name, _ in seen):
        return FileOutcome(raw_file, "already_landed")
    landed_as = [name for name, status in seen if status == "landed"]
    if landed_as:
        _record(
            con, source=source, raw_file=raw_file, sha=sha, status="duplicate",
            line_count=0, byte_size=byte_size, mtime_ns=mtime_ns, duplicate_of=landed_as[0],
            detail=f"same content as {landed_as[0]}",
        )  # fmt: skip
        return FileOutcome(raw_file, "duplicate", detail=f"same content as {landed_as[0]}")

    try:
        lines = read_dump_lines(path)
    except Exception as exc:  # noqa: BLE001 - any reader error fails this file only
        detail = f"cannot read {raw_file}: {type(exc).__name__}: {exc}"
        log.error(detail)
        _record(
            con, source=source, raw_file=raw_file, sha=sha, status="failed",
            line_count=None, byte_size=byte_size, mtime_ns=mtime_ns, detail=detail,
        )  # fmt: skip
        return FileOutcome(raw_file, "failed", detail=detail)

    loaded_at = _now()
    con.register("incoming_lines", lines)
    con.execute("begin transaction")
    try:
        con.execute(
            f"""
            insert into {lines_table(source)}
            select ?, raw_line_no, raw_line, ?, ?
            from incoming_lines
            """,
            [raw_file, sha, loaded_at],
        )
        _record(
            con, source=source, raw_file=raw_file, sha=sha, status="landed",
            line_count=lines.height, byte_size=byte_size, mtime_ns=mtime_ns,
        )  # fmt: skip
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming_lines")
    return FileOutcome(raw_file, "landed", line_count=lines.height)


def land_source(
    con: duckdb.DuckDBPyConnection, source: str, raw_dir: Path, files: Iterable[Path] | None = None
) -> LandingReport:
    """Land every new dump file of one source; already-landed content is skipped."""
    ensure_landing_tables(con)
    report = LandingReport(source)
    for path in discover_dump_files(raw_dir, source) if files is None else files:
        report.outcomes.append(land_file(con, source, path, raw_dir))
    return report
