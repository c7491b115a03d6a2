"""The volume generator: deterministic, and every line it writes is conserved."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.conftest import SHARED_KEY, query, run_cli
from tools.generate import Spec, generate


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


def test_generated_days_built_one_by_one_equal_one_full_build(tmp_path: Path) -> None:
    """Incremental runs over messy generated days (late events that land in another
    day's file, repeated deliveries, guests who register) give, table by table, what
    one build over all the files gives."""
    from tests.test_canonical_model import snapshot

    # short sessions: enough contact-days that guests have events on both sides of
    # the day they register
    spec = Spec(
        events=6_000, days=4, seed=5, bad_rate=0.01, repeat_rate=0.02, late_rate=0.05,
        session_events=3,
    )  # fmt: skip
    everything = tmp_path / "all"
    generate(spec, everything, progress=False)
    days = sorted({p.stem for p in everything.rglob("*.jsonl")})
    assert len(days) >= 5  # late lines and repeats spill into a day after the last

    raw = tmp_path / "raw"
    incremental = tmp_path / "inc" / "warehouse.duckdb"
    for batch in (days[:2], days[2:3], days[3:]):
        for path in everything.rglob("*.jsonl"):
            if path.stem in batch:
                target = raw / path.relative_to(everything)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        result = run_cli(raw, incremental, **SHARED_KEY)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    full = tmp_path / "full" / "warehouse.duckdb"
    assert run_cli(everything, full, **SHARED_KEY).returncode == 0
    incremental_tables, full_tables = snapshot(incremental), snapshot(full)
    for table, rows in full_tables.items():
        assert rows, table
        assert incremental_tables[table] == rows, table
    # the batches really exercised stitching and late events
    assert query(full, "select count(*) > 0 from dim_contacts where has_stitched_guest") == [
        (True,)
    ]
