"""The volume generator: deterministic, and every line it writes is conserved."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from orchestration.generate import Spec, generate
from tests.conftest import query, run_cli


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    spec = Spec(events=5_000, days=3, seed=7)
    generate(spec, tmp_path / "a", progress=False)
    generate(spec, tmp_path / "b", progress=False)
    generate(Spec(events=5_000, days=3, seed=8), tmp_path / "c", progress=False)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert a and a == b
    assert a != c


def test_a_messy_generated_day_conserves_every_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    spec = Spec(events=3_000, days=1, seed=11, bad_rate=0.03, repeat_rate=0.03, late_rate=0.05)
    generate(spec, raw, progress=False)

    # An independent count over the files: broken JSON, repeats, late lines.
    lines = [line for p in sorted(raw.rglob("*.jsonl")) for line in p.read_text().splitlines()]
    broken = repeats = 0
    seen: Counter[str] = Counter()
    for line in lines:
        seen[line] += 1
        if seen[line] > 1:
            repeats += 1
            continue
        try:
            json.loads(line)
        except json.JSONDecodeError:
            broken += 1
    # a one-day batch: late lines and repeats land in the files of later days
    later_day_files = [p for p in raw.rglob("*.jsonl") if p.stem > "2026-01-01"]
    assert broken > 30 and repeats > 30 and later_day_files  # the rates produced them

    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    result = run_cli(raw, warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    outcomes = dict(query(warehouse, "select outcome, count(*) from audit_raw_lines group by 1"))
    assert sum(outcomes.values()) == len(lines)
    assert outcomes["duplicate"] == repeats
    assert outcomes["rejected"] == broken
    assert outcomes["accepted"] == len(lines) - repeats - broken
    # late lines: received two days after they happened, still placed at their event time
    assert query(
        warehouse,
        "select count(*) > 0 from fact_product_events "
        "where received_at >= occurred_at + interval 2 day",
    ) == [(True,)]
