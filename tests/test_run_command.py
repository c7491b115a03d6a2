"""`make run`'s command end to end, on a private copy of the samples."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

from tests.conftest import run_cli, sample_line_counts


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
    # broken file is named and lands nothing, the run itself still succeeds.
    shutil.copy(raw_dir / "usercom" / "2026-03-01.jsonl", raw_dir / "usercom" / "resent.jsonl")
    good = (raw_dir / "insend" / "2026-03-01.jsonl").read_bytes()
    (raw_dir / "insend" / "broken.jsonl.gz").write_bytes(gzip.compress(good)[:50])
    (raw_dir / "esputnik" / "2026-03-09.jsonl").write_text('{"received_at":1}\n{"x":2}\n')
    third = run_cli(raw_dir, warehouse)
    assert third.returncode == 0, third.stderr[-3000:]
    assert landed(third.stdout) == {
        "usercom": (0, expected["usercom"]),
        "esputnik": (2, expected["esputnik"] + 2),
        "insend": (0, expected["insend"]),
    }
    assert "FAILED FILE insend/broken.jsonl.gz" in third.stdout
    assert "1 duplicate" in third.stdout
