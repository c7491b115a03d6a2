"""The volume generator is deterministic (that every line it writes is conserved, and
built day by day equals one build: tests/test_canonical_model.py)."""

from __future__ import annotations

from pathlib import Path

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
