"""`python -m orchestration.cli export-segment`: a segment's contacts to CSV or Parquet,
from a hand-made published warehouse."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration import cli


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table mart_contact_segments as select * from (values "
            "('carted_not_purchased', 'usercom:u-2', 'usercom', '2026-03-10 12:00:00'),"
            "('carted_not_purchased', 'insend:visitor:v-1', 'insend', '2026-03-09 08:00:00'),"
            "('category_interest:shoes', 'usercom:u-2', 'usercom', '2026-03-08 10:00:00')"
            ") as t(segment_id, contact_id, source_system, qualified_at)"
        )
        con.execute("alter table mart_contact_segments alter qualified_at type timestamp")
        con.execute("alter table mart_contact_segments add column judged_at timestamp")
        con.execute("update mart_contact_segments set judged_at = timestamp '2026-03-20 00:00:00'")
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    return path


def test_a_segment_is_written_as_csv_and_as_parquet(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "carted.csv"
    assert cli.main(["export-segment", "carted_not_purchased", "--out", str(out)]) == 0
    assert f"wrote 2 contacts of segment carted_not_purchased to {out}" in capsys.readouterr().out
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["contact_id"], r["source_system"], r["qualified_at"]) for r in rows] == [
        ("insend:visitor:v-1", "insend", "2026-03-09 08:00:00"),
        ("usercom:u-2", "usercom", "2026-03-10 12:00:00"),
    ]
    assert list(rows[0]) == [
        "segment_id",
        "contact_id",
        "source_system",
        "qualified_at",
        "judged_at",
    ]

    parquet = tmp_path / "shoes.parquet"
    args = [
        "export-segment",
        "category_interest:shoes",
        "--format",
        "parquet",
        "--out",
        str(parquet),
    ]
    assert cli.main(args) == 0
    with duckdb.connect() as con:
        got = con.execute(f"select segment_id, contact_id from '{parquet}'").fetchall()
    assert got == [("category_interest:shoes", "usercom:u-2")]


def test_an_unknown_segment_fails_naming_the_segments_there(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    assert cli.main(["export-segment", "category_interest:hats", "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "no segment 'category_interest:hats'" in error
    assert "carted_not_purchased, category_interest:shoes" in error
    assert not out.exists()
