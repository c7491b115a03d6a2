"""`make run`'s command end to end: reruns on the samples' warehouse."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import zlib
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration.defs.warehouse.pii import KEY_FILE_NAME
from orchestration.settings import DBT_PROJECT_DIR
from tests.conftest import count_elsewhere, query, run_cli, sample_line_counts

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process

WARN_CHECK = "gx_stg_usercom__events_types_and_required_fields"


def landed(stdout: str) -> dict[str, tuple[int, int]]:
    """source -> (new this run, total) from the summary's landing block."""
    rows = re.findall(r"^\s+(\w+)\s+(\d+) new this run,\s+(\d+) in total", stdout, re.M)
    return {source: (int(new), int(total)) for source, new, total in rows}


def non_finite_lines() -> str:
    """A purchase priced NaN once made a product's revenue NaN, with every check green."""
    return "".join(
        f'{{"received_at":"2026-03-05T10:00:0{n}Z","user_id":"42","method":"product_event",'
        f'"data":{{"product_id":"SKU-100","event_type":"purchase",{fields}}}}}\n'
        for n, fields in enumerate(
            ['"price":NaN,"quantity":1', '"price":Infinity', '"price":1,"quantity":1e309']
        )
    )


def dagster_runs(warehouse: Path) -> list:
    with DagsterInstance.from_config(str(warehouse.parent / "dagster_home")) as instance:
        return instance.get_runs()


def dbt_nodes_run(run_id: str) -> dict[str, set[str]]:
    """step -> the dbt nodes its invocation in run `run_id` ran (run_results.json)."""
    runs = {}
    for results in (DBT_PROJECT_DIR / "target").glob(f"*-{run_id[:7]}-*/run_results.json"):
        step = results.parent.name.split("-")[0]
        runs[step] = {r["unique_id"] for r in json.loads(results.read_text())["results"]}
    return runs


def funnel_marts_nodes() -> set[str]:
    """The nodes of the funnel marts' step: funnel_journeys, carts_summarised and all that
    depends on them (tests included), from the manifest."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    todo = [f"model.product_events.{name}" for name in ("funnel_journeys", "carts_summarised")]
    seen: set[str] = set()
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo += manifest["child_map"].get(node, [])
    return seen


def test_rerun_lands_nothing_new_then_only_what_is_new(built: Path, tmp_path: Path) -> None:
    """The samples' first run (the `built` fixture's), a rerun with nothing new (on a
    copy of the published file alone: every step runs), another (it finds the state it
    published: nothing to do), then a run with a renamed copy, a truncated gzip, broken
    lines and non-finite numbers, with strays in the landing folder and a reader holding
    the published file."""
    samples = built.parent.parent / "raw"
    expected = sample_line_counts(samples)
    first = (built.parent / "run_stdout.txt").read_text()
    assert landed(first) == {s: (n, n) for s, n in expected.items()}
    # the samples' bad lines fail the staged-lines suites (warn) in the first run
    assert f"staging/stg_usercom__events: {WARN_CHECK}" in first

    # a copy of the published warehouse (the next run starts from it) and of the files
    raw = tmp_path / "raw"
    shutil.copytree(samples, raw)
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built, warehouse)
    shutil.copy(built.parent / KEY_FILE_NAME, warehouse.parent)  # the same pseudonyms

    second = run_cli(raw, warehouse)  # nothing new
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert landed(second.stdout) == {s: (0, n) for s, n in expected.items()}
    # the copy holds the seeds the same code loaded and tested: the run leaves them out
    (rerun,) = dagster_runs(warehouse)
    assert rerun.asset_selection is not None and len(rerun.asset_selection) > 20
    assert not [key for key in rerun.asset_selection if key.path[0] == "reference"]
    # and its dbt_models step, a part of that step's models named one by one, still ran
    # nothing of the funnel marts' step (their tests read dim_contacts too)
    models_step = dbt_nodes_run(rerun.run_id)
    # dbt wrote no manifest of its own in the invocation folders, the step its results
    folders = list((DBT_PROJECT_DIR / "target").glob(f"*-{rerun.run_id[:7]}-*"))
    assert {folder.name.split("-")[0] for folder in folders} == set(models_step)
    assert not [folder for folder in folders if (folder / "manifest.json").exists()]
    assert "model.product_events.dim_contacts" in models_step["dbt_models"]
    assert not models_step["dbt_models"] & funnel_marts_nodes()
    # a failed warn check stays failed on an unchanged rerun
    line = next(x for x in second.stdout.splitlines() if x.endswith(WARN_CHECK))
    assert line.lstrip().startswith("FAIL (warn)"), line
    assert "the last validation stands" in second.stdout
    assert query(warehouse, "select count(*) from quarantine_events")[0][0] > 0

    # that run published what it found; the next one finds nothing new and does nothing,
    # Dagster not even started (a run of dagster dev skips its steps: test_dagster_dev)
    published_at = warehouse.stat().st_mtime_ns
    runs_before = len(dagster_runs(warehouse))
    os.utime(raw / "usercom" / "2026-03-01.jsonl")  # a new time, the same content
    idle = run_cli(raw, warehouse)
    assert idle.returncode == 0, idle.stdout[-3000:] + idle.stderr[-3000:]
    assert landed(idle.stdout) == {s: (0, n) for s, n in expected.items()}
    assert "unchanged (nothing new since the last publish" in idle.stdout.splitlines()[-1]
    assert "no Dagster run started" in idle.stdout.splitlines()[-1]
    assert len(dagster_runs(warehouse)) == runs_before
    assert warehouse.stat().st_mtime_ns == published_at

    # Nothing under the landing folder is skipped silently: strays are listed.
    for stray in ("shopify/2026-03-01.jsonl", "UserCom/2026-03-01.jsonl", "usercom/notes.txt"):
        (raw / stray).parent.mkdir(exist_ok=True)
        (raw / stray).write_text("{}\n")
    (raw / "export.csv").write_text("a,b\n")
    # A reader holding the published file (a notebook kernel, say) never blocks a build.
    reader = duckdb.connect(str(warehouse), read_only=True)
    before = reader.execute("select count(*) from audit_raw_lines").fetchall()[0][0]

    # A renamed copy, a truncated gzip, two broken lines and three non-finite numbers in
    # one run: the copy adds nothing, the broken file is named and lands its complete
    # lines, the run itself still succeeds.
    shutil.copy(raw / "usercom" / "2026-03-01.jsonl", raw / "usercom" / "resent.jsonl")
    good = (raw / "insend" / "2026-03-01.jsonl").read_bytes()
    broken = gzip.compress(good)[:300]
    complete = zlib.decompressobj(wbits=31).decompress(broken).count(b"\n")
    assert 0 < complete < good.count(b"\n")
    (raw / "insend" / "broken.jsonl.gz").write_bytes(broken)
    (raw / "esputnik" / "2026-03-09.jsonl").write_text('{"received_at":1}\n{"x":2}\n')
    (raw / "usercom" / "2026-03-05.jsonl").write_text(non_finite_lines())
    third = run_cli(raw, warehouse)
    assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-3000:]
    assert landed(third.stdout) == {
        "usercom": (3, expected["usercom"] + 3),
        "esputnik": (2, expected["esputnik"] + 2),
        "insend": (complete, expected["insend"] + complete),
    }
    assert "TRUNCATED FILE insend/broken.jsonl.gz" in third.stdout
    assert "1 duplicate" in third.stdout
    failure = next(line for line in third.stdout.splitlines() if "no_unknown_files" in line)
    assert failure.lstrip().startswith("FAIL (warn)"), failure
    listed = third.stdout[third.stdout.index(failure) :]
    for name in ("UserCom/ (not a source folder", "shopify/ (not a source folder", "export.csv"):
        assert name in listed, name
    assert "usercom/notes.txt" in listed
    # the reader still sees the state it opened, whole; a new reader sees the new one
    assert reader.execute("select count(*) from audit_raw_lines").fetchall()[0][0] == before
    reader.close()
    assert count_elsewhere(warehouse, "audit_raw_lines") == before + 3 + 2 + complete

    # non-finite numbers are quarantined, and no published number is one
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
