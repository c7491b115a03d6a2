"""`make run`'s command end to end, on a private copy of the samples."""

from __future__ import annotations

import gzip
import re
import shutil
import zlib
from pathlib import Path

from tests.conftest import query, run_cli, sample_line_counts


def landed(stdout: str) -> dict[str, tuple[int, int]]:
    """source -> (new this run, total) from the summary's landing block."""
    rows = re.findall(r"^\s+(\w+)\s+(\d+) new this run,\s+(\d+) in total", stdout, re.M)
    return {source: (int(new), int(total)) for source, new, total in rows}


def test_run_twice_and_redelivered_file(raw_dir: Path, warehouse: Path) -> None:
    expected = sample_line_counts(raw_dir)

    first = run_cli(raw_dir, warehouse)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert landed(first.stdout) == {s: (n, n) for s, n in expected.items()}

    second = run_cli(raw_dir, warehouse)
    assert second.returncode == 0, second.stderr[-3000:]
    assert landed(second.stdout) == {s: (0, n) for s, n in expected.items()}

    # A renamed copy and a truncated gzip in the same run: the copy adds nothing, the
    # broken file is named and lands its complete lines, the run itself still succeeds.
    shutil.copy(raw_dir / "usercom" / "2026-03-01.jsonl", raw_dir / "usercom" / "resent.jsonl")
    good = (raw_dir / "insend" / "2026-03-01.jsonl").read_bytes()
    broken = gzip.compress(good)[:300]
    complete = zlib.decompressobj(wbits=31).decompress(broken).count(b"\n")
    assert 0 < complete < good.count(b"\n")
    (raw_dir / "insend" / "broken.jsonl.gz").write_bytes(broken)
    (raw_dir / "esputnik" / "2026-03-09.jsonl").write_text('{"received_at":1}\n{"x":2}\n')
    third = run_cli(raw_dir, warehouse)
    assert third.returncode == 0, third.stderr[-3000:]
    assert landed(third.stdout) == {
        "usercom": (0, expected["usercom"]),
        "esputnik": (2, expected["esputnik"] + 2),
        "insend": (complete, expected["insend"] + complete),
    }
    assert "TRUNCATED FILE insend/broken.jsonl.gz" in third.stdout
    assert "1 duplicate" in third.stdout


def test_non_finite_numbers_are_quarantined_and_no_published_number_is(
    raw_dir: Path, warehouse: Path
) -> None:
    """A purchase priced NaN made a product's revenue NaN, with every check green."""
    (raw_dir / "usercom" / "2026-03-05.jsonl").write_text(
        "".join(
            f'{{"received_at":"2026-03-05T10:00:0{n}Z","user_id":"42","method":"product_event",'
            f'"data":{{"product_id":"SKU-100","event_type":"purchase",{fields}}}}}\n'
            for n, fields in enumerate(
                ['"price":NaN,"quantity":1', '"price":Infinity', '"price":1,"quantity":1e309']
            )
        )
    )
    result = run_cli(raw_dir, warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert query(
        warehouse,
        "select reason_code, count(*) from quarantine_events "
        "where raw_file = 'usercom/2026-03-05.jsonl' group by 1 order by 1",
    ) == [("invalid_price", 2), ("invalid_quantity", 1)]
    for table, columns in {
        "mart_product_funnel": "revenue",
        "fact_product_events": "unit_price, quantity",
        "dim_products": "price",
    }.items():
        for column in columns.split(", "):
            assert query(
                warehouse, f"select count(*) from {table} where not isfinite({column})"
            ) == [(0,)], (table, column)
