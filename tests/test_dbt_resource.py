"""The dbt resource's housekeeping: invocation folders do not pile up."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.dbt_resource import _prune_invocations


def _folder(target: Path, name: str, mtime: int) -> Path:
    path = target / name
    (path / "compiled").mkdir(parents=True)
    (path / "run_results.json").write_text("{}")
    os.utime(path, (mtime, mtime))
    return path


def test_only_the_newest_invocation_folders_of_the_step_are_kept(tmp_path: Path) -> None:
    # twelve earlier dbt_models folders, oldest first, and the one being finished
    models = [_folder(tmp_path, f"dbt_models-run{i:04d}-abc{i:04d}", 1_000 + i) for i in range(12)]
    current = _folder(tmp_path, "dbt_models-run9999-current", 500)  # mtime plays no part
    marts = [_folder(tmp_path, f"dbt_funnel_marts-run{i}-def{i}", 900 + i) for i in range(3)]
    (tmp_path / "partial_parse.msgpack").write_bytes(b"x")

    _prune_invocations(current, keep=4)

    left = sorted(p.name for p in tmp_path.iterdir())
    # the current one and the three newest others; another step's folders and files stay
    kept = [current, *models[9:], *marts]
    assert left == sorted([*(p.name for p in kept), "partial_parse.msgpack"])
