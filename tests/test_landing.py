"""Landing: counts, idempotency, renamed duplicates, broken files, atomicity."""

from __future__ import annotations

import gzip
import os
import shutil
import zlib
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.landing import dumps as landing
from orchestration.defs.landing.dumps import land_source
from orchestration.settings import SOURCES
from tests.conftest import count_lines, sample_line_counts


def land_all(con, raw_dir: Path) -> dict[str, landing.LandingReport]:
    return {source: land_source(con, source, raw_dir) for source in SOURCES}


def table_count(con, source: str) -> int:
    return con.execute(f"select count(*) from raw.{source}_lines").fetchall()[0][0]


def test_landed_lines_equal_line_counts_of_the_files(raw_dir: Path) -> None:
    expected = sample_line_counts(raw_dir)
    assert set(expected) == set(SOURCES)
    con = duckdb.connect()
    reports = land_all(con, raw_dir)
    for source in SOURCES:
        assert reports[source].lines_landed == expected[source] > 0
        assert table_count(con, source) == expected[source]
    # Line numbers are 1..n per file and the text is the file's line, byte for byte.
    path = raw_dir / "usercom" / "2026-03-02.jsonl.gz"
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")[:-1]
    rows = con.execute(
        "select raw_line_no, raw_line from raw.usercom_lines "
        "where raw_file = 'usercom/2026-03-02.jsonl.gz' order by raw_line_no"
    ).fetchall()
    assert rows == list(enumerate(lines, start=1))


def test_blank_lines_and_a_missing_final_newline_are_kept(raw_dir: Path) -> None:
    extra = raw_dir / "insend" / "extra.jsonl"
    extra.write_bytes(b'{"a":1}\n\n{"b":2}')  # wc -l says 2: the last line has no newline
    con = duckdb.connect()
    land_all(con, raw_dir)
    rows = con.execute(
        "select raw_line_no, raw_line from raw.insend_lines where raw_file = 'insend/extra.jsonl' "
        "order by 1"
    ).fetchall()
    assert rows == [(1, '{"a":1}'), (2, ""), (3, '{"b":2}')]


def test_second_run_lands_nothing(raw_dir: Path) -> None:
    con = duckdb.connect()
    land_all(con, raw_dir)
    before = {s: table_count(con, s) for s in SOURCES}
    again = land_all(con, raw_dir)
    assert all(r.lines_landed == 0 and r.files_landed == 0 for r in again.values())
    assert {s: table_count(con, s) for s in SOURCES} == before


def test_an_unchanged_file_is_not_read_again_a_touched_one_is_hashed(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = duckdb.connect()
    land_all(con, raw_dir)
    hashed: list[str] = []
    real_hash = landing.file_sha256
    monkeypatch.setattr(
        landing, "file_sha256", lambda path: hashed.append(path.name) or real_hash(path)
    )

    again = land_all(con, raw_dir)
    assert hashed == []  # same name, size and time as in the manifest
    assert all(r.files_already_landed == len(r.outcomes) > 0 for r in again.values())

    touched = raw_dir / "insend" / sorted(p.name for p in (raw_dir / "insend").iterdir())[0]
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    before = table_count(con, "insend")
    report = land_source(con, "insend", raw_dir)
    assert hashed == [touched.name]  # its time changed: read and hashed again
    assert report.lines_landed == 0 and table_count(con, "insend") == before  # same bytes


def test_same_content_under_a_new_name_lands_nothing(raw_dir: Path) -> None:
    con = duckdb.connect()
    land_all(con, raw_dir)
    before = table_count(con, "esputnik")
    copy = raw_dir / "esputnik" / "redelivered" / "again.jsonl"
    copy.parent.mkdir()
    shutil.copy(raw_dir / "esputnik" / "2026-03-01.jsonl", copy)
    report = land_source(con, "esputnik", raw_dir)
    assert report.lines_landed == 0
    assert report.files_duplicate == 1
    assert table_count(con, "esputnik") == before
    assert con.execute(
        "select status, duplicate_of, line_count from raw.landed_files "
        "where raw_file = 'esputnik/redelivered/again.jsonl'"
    ).fetchall() == [("duplicate", "esputnik/2026-03-01.jsonl", 0)]


def test_the_same_content_twice_in_one_run_lands_once(raw_dir: Path) -> None:
    # Both copies are new and read into one batch: the second is found among the
    # batch's files, not in the manifest, which does not list the first yet.
    copy = raw_dir / "esputnik" / "redelivered-2026-03-01.jsonl"
    shutil.copy(raw_dir / "esputnik" / "2026-03-01.jsonl", copy)
    con = duckdb.connect()
    report = land_source(con, "esputnik", raw_dir)
    assert report.files_duplicate == 1
    assert (
        report.lines_landed
        == table_count(con, "esputnik")
        == (sample_line_counts(raw_dir)["esputnik"] - count_lines(copy))
    )
    assert con.execute(
        "select status, duplicate_of from raw.landed_files "
        "where raw_file = 'esputnik/redelivered-2026-03-01.jsonl'"
    ).fetchall() == [("duplicate", "esputnik/2026-03-01.jsonl")]


def test_batches_of_any_size_land_the_same_rows(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    columns = "raw_file, raw_line_no, raw_line, file_sha256"
    landed = {}
    for batch_lines in (1, 10**9):  # a batch per file; every file in one batch
        monkeypatch.setattr(landing, "BATCH_LINES", batch_lines)
        con = duckdb.connect()
        land_all(con, raw_dir)
        landed[batch_lines] = {
            source: con.execute(f"select {columns} from raw.{source}_lines order by all").fetchall()
            for source in SOURCES
        }
        # one loaded_at per batch: as many as files with a batch per file
        times = con.execute("select count(distinct loaded_at) from raw.usercom_lines").fetchall()
        files = len(landing.discover_dump_files(raw_dir, "usercom"))
        assert times == [(files if batch_lines == 1 else 1,)]
    assert landed[1] == landed[10**9]
    assert sum(len(rows) for rows in landed[1].values()) == sum(
        sample_line_counts(raw_dir).values()
    )


def test_a_new_file_lands_only_its_own_lines(raw_dir: Path) -> None:
    con = duckdb.connect()
    land_all(con, raw_dir)
    new = raw_dir / "usercom" / "2026-03-05.jsonl"
    new.write_text('{"x":1}\n{"x":2}\n{"x":3}\n')
    assert land_source(con, "usercom", raw_dir).lines_landed == 3


def test_a_truncated_gzip_lands_its_complete_lines_and_says_so(raw_dir: Path) -> None:
    broken = raw_dir / "usercom" / "2026-03-03.jsonl.gz"
    lines = [f'{{"n":{i},"pad":"{"x" * (i % 37)}"}}' for i in range(2000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    broken.write_bytes(data[: len(data) * 3 // 5])
    # what survives, found independently: the stream decompressed as far as it goes
    prefix = zlib.decompressobj(wbits=31).decompress(data[: len(data) * 3 // 5])
    complete = prefix.count(b"\n")
    assert 0 < complete < len(lines)
    con = duckdb.connect()
    report = land_source(con, "usercom", raw_dir)

    assert not report.failed
    assert [f.raw_file for f in report.truncated] == ["usercom/2026-03-03.jsonl.gz"]
    assert report.truncated[0].detail.startswith("truncated:")
    assert (
        con.execute(
            "select list(raw_line order by raw_line_no) from raw.usercom_lines "
            "where raw_file = 'usercom/2026-03-03.jsonl.gz'"
        ).fetchall()[0][0]
        == lines[:complete]
    )
    assert con.execute(
        "select status, line_count from raw.landed_files "
        "where raw_file = 'usercom/2026-03-03.jsonl.gz'"
    ).fetchall() == [("landed", complete)]


def test_a_line_that_is_not_utf8_is_flagged_and_its_neighbours_land(raw_dir: Path) -> None:
    bad = raw_dir / "insend" / "latin1.jsonl"
    bad.write_bytes(
        b'\xef\xbb\xbf{"a":1}\n' + '{"name":"caf\u00e9"}\r\n'.encode("latin-1") + b'{"c":3}\n'
    )
    con = duckdb.connect()
    report = land_source(con, "insend", raw_dir)
    assert not report.failed
    assert con.execute(
        "select raw_line_no, raw_line, is_invalid_utf8 from raw.insend_lines "
        "where raw_file = 'insend/latin1.jsonl' order by raw_line_no"
    ).fetchall() == [
        (1, '{"a":1}', None),  # the byte order mark stripped
        (2, '{"name":"caf\ufffd"}', True),
        (3, '{"c":3}', None),
    ]


def test_a_byte_order_mark_is_stripped_from_a_sound_file(raw_dir: Path) -> None:
    (raw_dir / "insend" / "bom.jsonl").write_bytes(b'\xef\xbb\xbf{"a":1}\n{"b":2}\n')
    con = duckdb.connect()
    land_source(con, "insend", raw_dir)
    assert con.execute(
        "select list(raw_line order by raw_line_no) from raw.insend_lines "
        "where raw_file = 'insend/bom.jsonl'"
    ).fetchall() == [(['{"a":1}', '{"b":2}'],)]


def test_a_truncated_file_completed_later_adds_only_its_missing_lines(raw_dir: Path) -> None:
    # a file still being copied lands its complete lines; once whole, the rest follow
    con = duckdb.connect()
    path = raw_dir / "insend" / "late.jsonl.gz"
    full = gzip.compress(b'{"x":1}\n{"x":2}\n{"x":3}\n', mtime=0)
    path.write_bytes(full[:10])
    first = land_source(con, "insend", raw_dir, [path])
    assert [(f.line_count, f.truncated) for f in first.outcomes] == [(0, True)]
    path.write_bytes(full)
    report = land_source(con, "insend", raw_dir, [path])
    assert [(f.status, f.line_count, f.truncated) for f in report.outcomes] == [
        ("landed", 3, False)
    ]
    path.write_bytes(full[: len(full) - 12])  # a shorter copy again: nothing to add
    assert land_source(con, "insend", raw_dir, [path]).lines_landed == 0
    assert con.execute(
        "select list(raw_line_no order by raw_line_no) from raw.insend_lines "
        "where raw_file = 'insend/late.jsonl.gz'"
    ).fetchall() == [([1, 2, 3],)]


def test_a_file_lands_in_one_transaction_or_not_at_all(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = duckdb.connect()
    real_record = landing._record

    def failing_record(con, source, files):
        if any(f["status"] == "landed" for f in files):
            raise RuntimeError("disk full while writing the manifest")
        return real_record(con, source, files)

    monkeypatch.setattr(landing, "_record", failing_record)
    with pytest.raises(RuntimeError, match="disk full"):
        land_source(con, "esputnik", raw_dir)
    # The lines inserted before the manifest write were rolled back with it.
    assert table_count(con, "esputnik") == 0
    monkeypatch.setattr(landing, "_record", real_record)
    assert (
        land_source(con, "esputnik", raw_dir).lines_landed
        == sample_line_counts(raw_dir)["esputnik"]
    )


def test_symbolic_links_are_not_followed_and_are_listed(raw_dir: Path, tmp_path: Path) -> None:
    """The landing folder is a boundary: a link to a file (or folder) elsewhere on the
    machine lands nothing of it, and is named."""
    expected = sample_line_counts(raw_dir)["usercom"]
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.jsonl"
    secret.write_text('{"user_id":"root:x:0:0"}\n')
    (raw_dir / "usercom" / "passwd.jsonl").symlink_to(secret)
    (raw_dir / "usercom" / "more").symlink_to(outside, target_is_directory=True)
    (raw_dir / "esputnik" / "fifo.jsonl").parent.mkdir(exist_ok=True)
    os.mkfifo(raw_dir / "esputnik" / "fifo.jsonl")
    con = duckdb.connect()
    reports = land_all(con, raw_dir)
    assert reports["usercom"].lines_landed == expected
    assert con.execute(
        "select count(*) from raw.usercom_lines where raw_line like '%root:x%'"
    ).fetchall() == [(0,)]
    unknown = landing.unknown_entries(raw_dir)
    assert unknown["usercom"] == [
        "usercom/more (a symbolic link: not followed)",
        "usercom/passwd.jsonl (a symbolic link: not followed)",
    ]
    assert unknown["esputnik"] == ["esputnik/fifo.jsonl (not a regular file)"]
