"""The new-dump-files sensor: a new file triggers exactly one run, nothing triggers none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.definitions import defs


@pytest.fixture
def sensor(raw_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RAW_DATA_DIR", str(raw_dir))
    return defs.resolve_sensor_def("new_dump_files")


def evaluate(sensor, cursor: str | None):
    context = build_sensor_context(cursor=cursor)
    result = sensor(context)
    return result, context.cursor


def test_new_file_triggers_exactly_one_run(sensor, raw_dir: Path) -> None:
    first, cursor = evaluate(sensor, None)
    assert isinstance(first, RunRequest)  # the folder as first seen

    again, same_cursor = evaluate(sensor, cursor)
    assert isinstance(again, SkipReason)  # nothing dropped: no run
    assert same_cursor == cursor

    shutil.copy(raw_dir / "insend" / "2026-03-02.jsonl", raw_dir / "insend" / "2026-03-05.jsonl")
    requests = [evaluate(sensor, cursor)]
    assert isinstance(requests[0][0], RunRequest)
    assert requests[0][0].run_key != first.run_key
    # evaluated again without new files: still exactly one run for that drop
    follow_up, _ = evaluate(sensor, requests[0][1])
    assert isinstance(follow_up, SkipReason)


def test_files_outside_the_dump_pattern_trigger_nothing(sensor, raw_dir: Path) -> None:
    _, cursor = evaluate(sensor, None)
    (raw_dir / "usercom" / "notes.txt").write_text("not a dump")
    (raw_dir / "unknown_source").mkdir()
    (raw_dir / "unknown_source" / "x.jsonl").write_text("{}\n")
    result, _ = evaluate(sensor, cursor)
    assert isinstance(result, SkipReason)
