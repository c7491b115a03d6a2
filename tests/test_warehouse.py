"""The warehouse's two files, its writer lock and dead runs (orchestration/defs/warehouse/files.py),
piece by piece; tests/test_operator_faults.py drives the same through whole runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.events import EngineEventData

from orchestration import settings
from orchestration.defs.landing.dumps import unknown_entries
from orchestration.defs.warehouse.files import (
    GENERATION,
    HOST_TAG,
    PID_TAG,
    WarehouseError,
    WriterLock,
    build_inputs,
    full_refresh_reason,
    nothing_new_since_publish,
    prepare_build_file,
    publish,
    read_holder,
    record_build_stamp,
    recover_dead_runs,
)
from orchestration.settings import build_path
from tests.conftest import count_elsewhere


def test_the_build_file_sits_beside_the_published_one_under_the_same_name() -> None:
    # the same name: DuckDB's catalog name, which dbt writes into its views
    assert build_path(Path("/data/wh/shop.duckdb")) == Path("/data/wh/.build/shop.duckdb")


def make_table(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(f"create or replace table t as select range as i from range({rows})")


def test_publish_replaces_the_file_under_a_reader_that_keeps_its_state(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    build = build_path(published)
    build.parent.mkdir()
    make_table(build, 3)
    assert publish(published, build) is True
    reader = duckdb.connect(str(published), read_only=True)
    make_table(build, 5)
    assert publish(published, build) is True
    assert reader.execute("select count(*) from t").fetchall() == [(3,)]  # still whole
    assert count_elsewhere(published, "t") == 5
    assert publish(published, build) is False  # nothing changed: no copy
    reader.close()
    assert not list(tmp_path.glob(".warehouse.duckdb.publishing-*"))


def test_nothing_is_new_while_the_build_file_and_what_built_it_are_as_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "warehouse.duckdb"
    build = build_path(published)
    build.parent.mkdir()
    make_table(build, 3)
    assert not nothing_new_since_publish(published, build, "inputs")  # never published
    publish(published, build, "inputs")
    assert nothing_new_since_publish(published, build, "inputs")
    assert not nothing_new_since_publish(published, build, "other inputs")
    make_table(build, 4)  # a write to the build file (a line landed, say)
    assert not nothing_new_since_publish(published, build, "inputs")
    publish(published, build, "inputs")
    assert nothing_new_since_publish(published, build, "inputs")
    published.unlink()  # the published file is gone: publish again
    assert not nothing_new_since_publish(published, build, "inputs")
    publish(published, build, "inputs")
    make_table(tmp_path / "other.duckdb", 7)  # another warehouse copied over it by hand
    (tmp_path / "other.duckdb").replace(published)
    assert not nothing_new_since_publish(published, build, "inputs")
    assert publish(published, build, "inputs") is True  # the build file's state again
    assert count_elsewhere(published, "t") == 4
    assert nothing_new_since_publish(published, build, "inputs")
    publish(published, build)  # `make publish` after dbt by hand: what built it is unknown
    assert not nothing_new_since_publish(published, build, "inputs")

    # what built it: any file of the dbt project, the stamp (the key of the pseudonyms)
    project = tmp_path / "dbt_project"
    shutil.copytree(
        settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs")
    )
    monkeypatch.setattr(settings, "DBT_PROJECT_DIR", project)
    before = build_inputs("stamp")
    assert build_inputs("stamp") == before
    assert build_inputs("other stamp") != before
    model = next((project / "models" / "marts").rglob("*.sql"))
    model.write_text(model.read_text() + "\n")
    assert build_inputs("stamp") != before


def test_a_first_run_starts_from_the_published_file(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    make_table(published, 4)  # a warehouse made before the build file existed
    build = build_path(published)
    prepare_build_file(published, build)
    assert count_elsewhere(build, "t") == 4
    make_table(build, 6)
    prepare_build_file(published, build)  # the build file exists: it is kept
    assert count_elsewhere(build, "t") == 6


def test_a_build_file_another_program_writes_is_one_clear_error(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    build = build_path(published)
    build.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
            " print('open', flush=True); time.sleep(60)",
            str(build),
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(WarehouseError) as error:
            prepare_build_file(published, build)
    finally:
        holder.kill()
        holder.wait()
    message = str(error.value)
    assert "\n" not in message and f"(PID {holder.pid})" in message, message


def test_the_lock_names_its_holder_and_dies_with_its_process(tmp_path: Path) -> None:
    build = tmp_path / ".build" / "warehouse.duckdb"
    code = (
        "import sys, time; from pathlib import Path;"
        "from orchestration.defs.warehouse.files import WriterLock;"
        "WriterLock(Path(sys.argv[1])).acquire('run-x'); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(build)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    told: list[str] = []
    with pytest.raises(WarehouseError) as error:
        WriterLock(build).acquire("run-y", timeout=1, on_wait=told.append)
    assert told == [f"waiting up to 1 s for run run-x (PID {holder.pid} on {os.uname().nodename}, "
                    f"since {read_holder(build).since}), which is writing {build}"]  # fmt: skip
    assert "gave up after 1 s" in str(error.value) and "run run-x" in str(error.value)
    holder.kill()  # as kill -9 would: no chance to let go
    holder.wait()
    lock = WriterLock(build)
    lock.acquire("run-y", timeout=1)  # the kernel dropped the dead holder's lock
    assert read_holder(build).run_id == "run-y"
    lock.release()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_runs_whose_process_is_gone_are_marked_failed(tmp_path: Path) -> None:
    instance = DagsterInstance.local_temp(str(tmp_path))
    host = os.uname().nodename
    runs = {
        "dead": {PID_TAG: str(dead_pid()), HOST_TAG: host},
        "alive": {PID_TAG: str(os.getpid()), HOST_TAG: host},
        "elsewhere": {PID_TAG: str(dead_pid()), HOST_TAG: "another-host"},
        # launched by dagster dev's run launcher and killed before it tagged itself:
        # the launcher's engine event has its PID
        "launched": {},
    }
    ids = {}
    for name, tags in runs.items():
        ids[name] = str(uuid.uuid4())
        instance.add_run(
            DagsterRun(
                job_name="build_everything",
                run_id=ids[name],
                status=DagsterRunStatus.STARTED,
                tags=tags,
            )
        )
    instance.report_engine_event(
        "Started process for run",
        instance.get_run_by_id(ids["launched"]),
        EngineEventData.in_process(dead_pid()),
    )
    recovered = recover_dead_runs(instance)
    assert sorted(line.split()[1] for line in recovered) == sorted([ids["dead"], ids["launched"]])
    status = {name: instance.get_run_by_id(run_id).status for name, run_id in ids.items()}
    assert status == {
        "dead": DagsterRunStatus.FAILURE,
        "alive": DagsterRunStatus.STARTED,
        "elsewhere": DagsterRunStatus.STARTED,
        "launched": DagsterRunStatus.FAILURE,
    }
    assert recover_dead_runs(instance) == []
    instance.dispose()


def test_unknown_entries_of_the_landing_folder(tmp_path: Path) -> None:
    for path in ("usercom/a.jsonl", "usercom/sub/b.jsonl.gz", "usercom/notes.txt",
                 "UserCom/c.jsonl", "shopify/d.jsonl", "insend/README.md", "README.md",
                 "export.csv"):  # fmt: skip
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}\n")
    assert unknown_entries(tmp_path) == {
        None: ["UserCom/", "export.csv", "shopify/"],
        "usercom": ["usercom/notes.txt"],
        "esputnik": [],
        "insend": [],
    }


def test_a_build_file_of_an_older_generation_is_rebuilt_whole(tmp_path: Path) -> None:
    """A build file whose incremental tables an older model generation built (the
    stamp a step records) gets a reason to be rebuilt from the landed lines; one
    built with today's stamp, or never built by the step, does not. (An incremental
    model with a new column fails on an old table: on_schema_change = fail.)"""
    now = f"generation {GENERATION}, PII key k"
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        assert full_refresh_reason(con, "dbt_models", now, "main.fact_product_events") is None
        con.execute("create table fact_product_events (event_id varchar)")
        # built before steps recorded a stamp
        assert full_refresh_reason(con, "dbt_models", now, "main.fact_product_events") == (
            f"built with generation 1, now {now}"
        )
        record_build_stamp(con, "dbt_models", f"generation {GENERATION - 1}, PII key k")
        assert full_refresh_reason(con, "dbt_models", now, "main.fact_product_events") == (
            f"built with generation {GENERATION - 1}, PII key k, now {now}"
        )
        record_build_stamp(con, "dbt_models", now)
        assert full_refresh_reason(con, "dbt_models", now, "main.fact_product_events") is None


def test_a_run_leaves_out_the_seeds_only_when_the_same_code_loaded_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """make run leaves the seeds (and their tests) out when the build file says the same
    project, package and engines loaded and tested them; any change brings them back."""
    from orchestration import cli
    from orchestration.definitions import defs
    from orchestration.defs.warehouse import files

    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    build = settings.build_path()
    build.parent.mkdir(parents=True)
    inputs = files.build_inputs(files.build_stamp(settings.warehouse_path()))
    with duckdb.connect(str(build)) as con:
        files.record_build_stamp(con, "dbt_models", "any")
    assert cli._without_loaded_seeds(defs) is None  # never loaded here
    with duckdb.connect(str(build)) as con:
        files.record_build_stamp(con, files.SEEDS, inputs)
    selection = cli._without_loaded_seeds(defs)
    everything = defs.resolve_asset_graph().get_all_asset_keys()
    seeds = {key for key in everything if key.path[0] == "reference"}
    assert len(seeds) == 4 and set(selection) == everything - seeds
    # a change to any file of the project or package is other inputs
    monkeypatch.setattr(cli, "build_inputs", lambda stamp: inputs[::-1])
    assert cli._without_loaded_seeds(defs) is None
