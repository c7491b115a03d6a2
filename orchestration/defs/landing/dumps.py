"""Bulk, idempotent landing of raw vendor dumps into DuckDB.

A dump file is read whole by polars (plain or gzip), and its lines go, unparsed, into
``raw.<source>_lines`` together with the file's manifest row in ``raw.landed_files``,
in one transaction. New files are inserted in batches of about a million lines (one
transaction per batch), so that DuckDB writes with every core. Parsing and rejecting
lines is dbt's job: nothing is judged (or lost) at the door.

A file is identified by the SHA-256 of its bytes: the same content under a second name
is recorded in the manifest as ``duplicate`` and lands no line. Loss is per line, not
per file: a line that is not UTF-8 lands with its bad bytes replaced (U+FFFD) and
``is_invalid_utf8`` set, for staging to reject as ``invalid_encoding``; a truncated
gzip lands its complete lines and is recorded with a ``truncated:`` detail (a later
full delivery adds only the missing lines, the others are duplicates); a UTF-8 byte
order mark is stripped. A file that cannot be read at all (a corrupt gzip, permission
denied) is recorded as ``failed`` with the reader's message, lands none of its lines,
and does not stop the other files; it is tried again on the next run.

A file whose name, size and modification time match a manifest row is not read again
(the test rsync and make use): a daily run reads the new dumps, not the whole history.
Any change to the file's size or time, or a file under a new name, is hashed again.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
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
TRUNCATED = "truncated:"


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

    @property
    def truncated(self) -> bool:
        return self.status == "landed" and (self.detail or "").startswith(TRUNCATED)


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
    def truncated(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.truncated]

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
        # true for a line that was not UTF-8 (stored with U+FFFD); null for the others
        con.execute(
            f"alter table {lines_table(source)} add column if not exists is_invalid_utf8 boolean"
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


def _linked(path: Path, raw_dir: Path) -> bool:
    """The path, or a folder between it and `raw_dir`, is a symbolic link."""
    while path != raw_dir:
        if path.is_symlink():
            return True
        path = path.parent
    return False


def discover_dump_files(raw_dir: Path, source: str) -> list[Path]:
    """Every ``*.jsonl`` / ``*.jsonl.gz`` under ``<raw_dir>/<source>/``, in name order.

    The landing folder is a boundary: a symbolic link (to a file or a folder) is not
    followed, so a link dropped into it cannot copy a file from elsewhere on the
    machine (``/etc/passwd``) into the warehouse; ``unknown_entries()`` lists it."""
    base = raw_dir / source
    if not base.is_dir() or base.is_symlink():
        return []
    return sorted(
        p
        for p in base.rglob("*")
        if p.name.endswith(DUMP_SUFFIXES) and p.is_file() and not _linked(p, raw_dir)
    )


def missing_raw_dir_message(raw_dir: Path) -> str:
    return (
        f"RAW_DATA_DIR {raw_dir} does not exist: set RAW_DATA_DIR to the folder that "
        f"holds the {', '.join(s + '/' for s in SOURCES)} dump folders"
    )


def nothing_to_land(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> bool:
    """Whether landing would add nothing and say nothing: no entry it would report as
    unknown, and every dump file is one it skips as already landed (the same name with
    the same size and modification time, else the same content, as _read_file decides).
    A renamed copy, a changed file or one that failed before means False: landing
    records those."""
    if any(unknown_entries(raw_dir).values()):
        return False
    try:
        manifest = _Manifest.read(con)
    except duckdb.CatalogException:  # nothing ever landed
        return False
    for source in SOURCES:
        for path in discover_dump_files(raw_dir, source):
            raw_file = path.relative_to(raw_dir).as_posix()
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) in manifest.size_and_mtime.get(raw_file, ()):
                continue
            seen = manifest.by_content.get(file_sha256(path), [])
            if not any(name == raw_file for name, _ in seen):
                return False
    return True


def unknown_entries(raw_dir: Path) -> dict[str | None, list[str]]:
    """What landing does not read, so that nothing is skipped without a word: under key
    None the entries at the top of `raw_dir` that are not a source folder (``shopify/``,
    ``UserCom/``, a stray file), under each source the files of its folder that are not
    dumps (``*.jsonl``, ``*.jsonl.gz``). Paths relative to `raw_dir`, folders end in /.
    A ``README*`` is the folder's documentation, not a stray."""
    link = " (a symbolic link: not followed)"
    found: dict[str | None, list[str]] = {None: []}
    if raw_dir.is_dir():
        for entry in sorted(raw_dir.iterdir()):
            if entry.is_symlink():
                found[None].append(entry.name + link)
            elif entry.name.startswith("README") and entry.is_file():
                continue
            elif entry.name not in SOURCES or not entry.is_dir():
                found[None].append(entry.name + ("/" if entry.is_dir() else ""))
    for source in SOURCES:
        base = raw_dir / source
        found[source] = []
        if not base.is_dir() or base.is_symlink():
            continue
        for path in sorted(base.rglob("*")):
            name = str(path.relative_to(raw_dir))
            if path.is_symlink():
                found[source].append(name + link)
            elif not path.is_dir() and _linked(path.parent, raw_dir):
                continue  # under a linked folder, listed as that folder
            elif not path.is_file() and not path.is_dir():
                found[source].append(name + " (not a regular file)")
            elif path.is_file() and not (
                path.name.endswith(DUMP_SUFFIXES) or path.name.startswith("README")
            ):
                found[source].append(name)
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_dump_lines(path: Path) -> tuple[pl.DataFrame, str | None]:
    """All lines of one dump as ``raw_line_no`` (1-based), ``raw_line`` and
    ``is_invalid_utf8``, and a ``truncated:`` detail when a gzip stream ends early.

    polars reads a sound file (plain or gzip) in one pass. It raises on a truncated
    stream or a byte that is not UTF-8, and only then is the file read again here:
    decompressed as far as the stream goes (a partial last line is not a line), decoded
    with the bad bytes replaced, and split, all in bulk. In such a file a line holding
    U+FFFD is taken as one that was not UTF-8.
    """
    truncated = None
    try:
        frame = pl.read_lines(
            path, name="raw_line", row_index_name="raw_line_no", row_index_offset=1
        )
        frame = frame.with_columns(pl.lit(None, pl.Boolean).alias("is_invalid_utf8"))
    except (pl.exceptions.ComputeError, OSError, EOFError) as exc:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data, complete = _gunzip_prefix(data)
            if not complete:
                data = data[: data.rfind(b"\n") + 1]  # the partial last line is lost
                truncated = (
                    f"{TRUNCATED} the gzip stream ends early ({exc}); its complete lines landed"
                )
        text = data.decode("utf-8", errors="replace")
        parts = text.split("\n")
        if parts[-1] == "":  # after the last newline, or an empty file
            parts.pop()
        lines = pl.Series("raw_line", parts, dtype=pl.String)
        frame = (
            pl.DataFrame(lines)
            .with_row_index("raw_line_no", offset=1)
            .with_columns(
                pl.col("raw_line").str.strip_suffix("\r"),
                pl.when(pl.col("raw_line").str.contains("\ufffd", literal=True))
                .then(True)
                .alias("is_invalid_utf8"),
            )
        )
    first = frame["raw_line"][0] if frame.height else None
    if first is not None and first.startswith("\ufeff"):  # a byte order mark is no content
        frame = frame.with_columns(frame["raw_line"].scatter(0, first[1:]))
    return frame.select(
        pl.col("raw_line_no").cast(pl.Int64), pl.col("raw_line"), pl.col("is_invalid_utf8")
    ), truncated


def _gunzip_prefix(data: bytes) -> tuple[bytes, bool]:
    """The bytes a gzip file (of one or more members) decompresses to, as far as its
    stream goes, and whether it was complete. A corrupt stream raises zlib.error."""
    out = []
    while data:
        member = zlib.decompressobj(wbits=31)
        out.append(member.decompress(data))
        if not member.eof:
            return b"".join(out), False
        data = member.unused_data
    return b"".join(out), True


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_MANIFEST_ROW = {
    "source_system": pl.String, "raw_file": pl.String, "file_sha256": pl.String,
    "status": pl.String, "line_count": pl.Int64, "byte_size": pl.Int64,
    "file_mtime_ns": pl.Int64, "duplicate_of": pl.String, "detail": pl.String,
    "seen_at": pl.Datetime("us"),
}  # fmt: skip


def _record(con: duckdb.DuckDBPyConnection, source: str, files: list[dict]) -> None:
    """Write the manifest rows of these files (the keys of _Batch.files) in one insert."""
    seen_at = _now()
    rows = pl.DataFrame(
        [
            {
                "source_system": source,
                "raw_file": f["raw_file"],
                "file_sha256": f["sha"],
                "status": f["status"],
                "line_count": f["line_count"],
                "byte_size": f["byte_size"],
                "file_mtime_ns": f["mtime_ns"],
                "duplicate_of": f.get("duplicate_of"),
                "detail": f.get("detail"),
                "seen_at": seen_at,
            }  # fmt: skip
            for f in files
        ],
        schema=_MANIFEST_ROW,
    )
    con.register("manifest_rows", rows)
    try:
        con.execute(f"insert or replace into {MANIFEST_TABLE} by name select * from manifest_rows")
    finally:
        con.unregister("manifest_rows")


@dataclass
class _Batch:
    """Files read and waiting for their insert: one insert over many files lets DuckDB
    write several row groups at once (one file is about one row group, one core)."""

    frames: list[pl.DataFrame] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)  # manifest rows, written with the lines
    lines: int = 0
    # content -> the batch's file that lands it (a dict: a batch may hold many small files)
    landing_sha: dict[str, str] = field(default_factory=dict)


@dataclass
class _Manifest:
    """What the manifest knows of the files landed (or found duplicate) so far, read in
    one query rather than three per file."""

    size_and_mtime: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    # content -> [(raw_file, status)], landed first, then by name
    by_content: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # raw_file -> [(content, line_count)] of its landed versions
    landed_versions: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> _Manifest:
        manifest = cls()
        rows = con.execute(
            f"""
            select raw_file, file_sha256, status, byte_size, file_mtime_ns, line_count
            from {MANIFEST_TABLE}
            where status in ('landed', 'duplicate')
            order by status = 'landed' desc, raw_file
            """
        ).fetchall()
        for raw_file, sha, status, byte_size, mtime_ns, line_count in rows:
            manifest.size_and_mtime.setdefault(raw_file, set()).add((byte_size, mtime_ns))
            manifest.by_content.setdefault(sha, []).append((raw_file, status))
            if status == "landed":
                manifest.landed_versions.setdefault(raw_file, []).append((sha, line_count))
        return manifest


# Lines per insert: enough to keep both cores writing, few enough to bound memory
# (about 250 MB of text at a typical 250 bytes a line).
BATCH_LINES = 1_000_000


def _read_file(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    raw_dir: Path,
    batch: _Batch,
    manifest: _Manifest,
) -> FileOutcome | None:
    """Read one dump file into the batch (None), or return its outcome when it adds no
    line: already landed, a renamed duplicate, or unreadable."""
    raw_file = path.relative_to(raw_dir).as_posix()
    try:
        stat = path.stat()
        byte_size, mtime_ns = stat.st_size, stat.st_mtime_ns
        if (byte_size, mtime_ns) in manifest.size_and_mtime.get(raw_file, ()):
            return FileOutcome(raw_file, "already_landed")
        sha = file_sha256(path)
    except OSError as exc:
        detail = f"cannot read {raw_file}: {exc.strerror or exc}"
        log.error(detail)
        return FileOutcome(raw_file, "failed", detail=detail)

    seen = manifest.by_content.get(sha, [])
    if any(name == raw_file for name, _ in seen):
        return FileOutcome(raw_file, "already_landed")
    landed_as = [name for name, status in seen if status == "landed"]
    pending_as = batch.landing_sha.get(sha)
    if pending_as == raw_file:  # the same file named twice
        return FileOutcome(raw_file, "already_landed")
    first = landed_as[0] if landed_as else pending_as
    manifest_row = dict(raw_file=raw_file, sha=sha, byte_size=byte_size, mtime_ns=mtime_ns)
    if first is not None:
        # recorded with the batch: a duplicate of a file whose insert fails is no duplicate
        detail = f"same content as {first}"
        batch.files.append(
            manifest_row | dict(status="duplicate", line_count=0, duplicate_of=first, detail=detail)
        )
        return None

    try:
        lines, truncated = read_dump_lines(path)
    except Exception as exc:  # noqa: BLE001 - any reader error fails this file only
        detail = f"cannot read {raw_file}: {type(exc).__name__}: {exc}"
        log.error(detail)
        _record(con, source, [manifest_row | dict(status="failed", line_count=None, detail=detail)])
        return FileOutcome(raw_file, "failed", detail=detail)

    # The same name landed before with other content: a truncated gzip completed, or
    # (against the contract) a file changed. Its lines already landed keep their
    # numbers and outcomes; only the lines after them land.
    earlier = max(
        (n for other, n in manifest.landed_versions.get(raw_file, []) if other != sha),
        default=None,
    )
    file_lines = lines.height
    if earlier is not None:
        lines = lines.filter(pl.col("raw_line_no") > earlier)
        note = (
            f"an earlier version of {raw_file} landed lines 1-{earlier}; "
            "only the lines after them landed"
        )
        truncated = f"{truncated}; {note}" if truncated else note

    file_no = len(batch.files)
    batch.frames.append(lines.with_columns(pl.lit(file_no, pl.Int32).alias("file_no")))
    if truncated:
        log.warning(f"{raw_file}: {truncated}")
    batch.files.append(
        manifest_row
        | dict(status="landed", line_count=file_lines, new_lines=lines.height, detail=truncated)
    )
    batch.landing_sha[sha] = raw_file
    batch.lines += lines.height
    return None


def _land_batch(con: duckdb.DuckDBPyConnection, source: str, batch: _Batch) -> list[FileOutcome]:
    """Insert the batch's lines and write its manifest rows in one transaction: every
    file of the batch lands, or none (the error is raised)."""
    if not batch.files:
        return []
    loaded_at = _now()
    files = pl.DataFrame(
        {
            "file_no": pl.Series(range(len(batch.files)), dtype=pl.Int32),
            "raw_file": [f["raw_file"] for f in batch.files],
            "file_sha256": [f["sha"] for f in batch.files],
        }
    )
    incoming = pl.concat(batch.frames, rechunk=False) if batch.frames else None
    con.execute("begin transaction")
    try:
        if incoming is not None:
            con.register("incoming_lines", incoming)
            con.register("incoming_files", files)
            con.execute(
                f"""
                insert into {lines_table(source)}
                    (raw_file, raw_line_no, raw_line, file_sha256, loaded_at, is_invalid_utf8)
                select incoming_files.raw_file, raw_line_no, raw_line, file_sha256, ?,
                    is_invalid_utf8
                from incoming_lines
                inner join incoming_files using (file_no)
                """,
                [loaded_at],
            )
        _record(con, source, batch.files)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        if incoming is not None:
            con.unregister("incoming_lines")
            con.unregister("incoming_files")
    return [
        FileOutcome(
            f["raw_file"], f["status"], f.get("new_lines", f["line_count"]), f.get("detail")
        )
        for f in batch.files
    ]


def land_source(
    con: duckdb.DuckDBPyConnection, source: str, raw_dir: Path, files: Iterable[Path] | None = None
) -> LandingReport:
    """Land every new dump file of one source; already-landed content is skipped.

    New files land in batches of about BATCH_LINES lines, each in one transaction with
    its manifest rows, in name order (their lines share the batch's loaded_at, so the
    landing order is loaded_at, raw_file, raw_line_no as before)."""
    ensure_landing_tables(con)
    report = LandingReport(source)
    batch, manifest = _Batch(), _Manifest.read(con)
    for path in discover_dump_files(raw_dir, source) if files is None else files:
        outcome = _read_file(con, source, path, raw_dir, batch, manifest)
        if outcome is not None:
            report.outcomes.append(outcome)
        elif batch.lines >= BATCH_LINES:
            report.outcomes.extend(_land_batch(con, source, batch))
            batch, manifest = _Batch(), _Manifest.read(con)
    report.outcomes.extend(_land_batch(con, source, batch))
    return report
