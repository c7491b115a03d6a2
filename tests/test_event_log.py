"""Dagster's event log with one engine per SQLite file (orchestration/event_log.py):
what a run records is what Dagster's own storage records, the files stay usable by
another process, a wiped instance works again, and the names it replaces are there."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
    define_asset_job,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration import event_log


@asset
def numbers() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 3})


@asset(deps=[numbers])
def doubled() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 3})


@asset_check(asset=numbers)
def numbers_positive() -> AssetCheckResult:
    return AssetCheckResult(passed=True, metadata={"bad": 0})


JOB = Definitions(
    assets=[numbers, doubled],
    asset_checks=[numbers_positive],
    jobs=[define_asset_job("both")],
).resolve_job_def("both")


def _instance(folder: Path) -> DagsterInstance:
    folder.mkdir(parents=True, exist_ok=True)
    return DagsterInstance.local_temp(str(folder), overrides={"telemetry": {"enabled": False}})


def _recorded(instance: DagsterInstance) -> tuple:
    """What the instance holds after a run: the run's event types in order, the assets'
    latest materialization metadata and the check's latest evaluation."""
    result = JOB.execute_in_process(instance=instance)
    assert result.success
    events = [entry.dagster_event_type for entry in instance.all_logs(result.run_id)]
    assets = {
        key.to_user_string(): dict(
            instance.get_latest_materialization_event(key).asset_materialization.metadata
        )
        for key in (AssetKey("numbers"), AssetKey("doubled"))
    }
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [numbers_positive.check_key]
    )[numbers_positive.check_key]
    return events, assets, check.status, check.run_id == result.run_id


@pytest.fixture
def kept() -> None:
    event_log.keep_engines()
    assert SqliteEventLogStorage._connect is event_log._connect


def test_a_run_records_what_dagsters_own_storage_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept
) -> None:
    with _instance(tmp_path / "kept") as instance:
        with_engines = _recorded(instance)
        engines = instance.event_log_storage.__dict__[event_log._ENGINES]
        assert sorted(engines) == sorted(["index", instance.get_runs()[0].run_id])

    for name, original in event_log.ORIGINAL.items():
        monkeypatch.setattr(SqliteEventLogStorage, name, original)
    with _instance(tmp_path / "dagster") as instance:
        dagsters = _recorded(instance)
        assert event_log._ENGINES not in instance.event_log_storage.__dict__

    assert with_engines == dagsters
    assert len(with_engines[0]) > 10


def test_another_process_writes_the_files_while_the_engines_are_kept(tmp_path: Path, kept) -> None:
    """A kept engine holds its connection outside any transaction: another writer (the
    daemon, the webserver) is not blocked, and its rows are seen."""
    with _instance(tmp_path) as instance:
        _recorded(instance)
        run_id = instance.get_runs()[0].run_id
        storage = instance.event_log_storage
        for shard in ("index", run_id):
            path = storage.path_for_shard(shard)
            with sqlite3.connect(path, timeout=0) as other:  # fails at once if locked
                other.execute("create table other_writer (x integer)")
                other.execute("insert into other_writer values (1)")
            with storage._connect(shard) as conn:
                assert conn.exec_driver_sql("select x from other_writer").scalar() == 1


def test_a_table_is_remembered_once_there_and_asked_again_until_then(tmp_path: Path, kept) -> None:
    with _instance(tmp_path) as instance:
        storage = instance.event_log_storage
        assert storage.has_table("asset_check_executions")
        assert not storage.has_table("not_yet_migrated")
        with storage._connect("index") as conn:  # a migration adds it
            conn.exec_driver_sql("create table not_yet_migrated (x integer)")
        assert storage.has_table("not_yet_migrated")
        assert storage.__dict__[event_log._TABLES] >= {"asset_check_executions", "not_yet_migrated"}


def test_a_secondary_index_is_remembered_once_complete_and_asked_again_until_then(
    tmp_path: Path, kept
) -> None:
    from dagster._core.storage.event_log.migration import ASSET_KEY_INDEX_COLS

    with _instance(tmp_path) as instance:
        storage = instance.event_log_storage
        assert storage.has_secondary_index(ASSET_KEY_INDEX_COLS)  # a new instance has it
        assert not storage.has_secondary_index("not_yet_migrated")
        storage.enable_secondary_index("not_yet_migrated")  # a data migration completes
        assert storage.has_secondary_index("not_yet_migrated")
        assert storage.__dict__[event_log._INDEXES] == {ASSET_KEY_INDEX_COLS, "not_yet_migrated"}


def test_a_wiped_instance_records_runs_again(tmp_path: Path, kept) -> None:
    with _instance(tmp_path) as instance:
        first = _recorded(instance)
        instance.wipe()  # deletes the run files, and Dagster forgets the shards
        assert _recorded(instance) == first


def test_the_names_it_replaces_are_still_there(tmp_path: Path) -> None:
    """A Dagster release that renames or reshapes what event_log.py replaces or uses
    fails here, by name, rather than in a run; one that stops creating an engine per
    event fails too, so the replacement can go."""
    connect, dispose = event_log.ORIGINAL["_connect"], event_log.ORIGINAL["dispose"]
    assert list(inspect.signature(connect).parameters) == ["self", "shard"]
    assert list(inspect.signature(dispose).parameters) == ["self"]
    assert "create_engine(" in inspect.getsource(connect)
    has_table = event_log.ORIGINAL["has_table"]
    assert list(inspect.signature(has_table).parameters) == ["self", "table_name"]
    assert "create_engine(" in inspect.getsource(has_table)
    has_index = event_log.ORIGINAL["has_secondary_index"]
    assert list(inspect.signature(has_index).parameters) == ["self", "name"]
    assert "SecondaryIndexMigrationTable" in inspect.getsource(has_index)
    storage = SqliteEventLogStorage(str(tmp_path))
    assert isinstance(storage._initialized_dbs, set)
    assert hasattr(storage._db_lock, "acquire")
    assert callable(storage._initdb) and callable(storage.conn_string_for_shard)
    storage.dispose()
