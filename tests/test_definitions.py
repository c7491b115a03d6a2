"""The Dagster definitions load and wire dbt sources to the landing assets."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetCheckKey, DagsterInstance, EventLogEntry
from dagster._core.instance.ref import InstanceRef

from orchestration.definitions import defs
from orchestration.settings import SOURCES


def test_dbt_sources_are_the_landing_assets() -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for source in SOURCES:
        assert f"raw/{source}_lines" in keys
        node = graph.get(
            next(
                k for k in graph.get_all_asset_keys() if k.to_user_string() == f"raw/{source}_lines"
            )
        )
        assert node.is_materializable, f"raw/{source}_lines must be the landing asset"


def test_build_job_exists() -> None:
    job = defs.resolve_job_def("build_everything")
    assert job.name == "build_everything"


def _run_events(built: Path) -> list[EventLogEntry]:
    """Every event of the single run the `built` fixture made, in order."""
    home = built.parent / "dagster_home"
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        (run,) = instance.get_runs()
        return list(instance.all_logs(run.run_id))


def test_dbt_assets_carry_row_counts_and_every_dbt_test_reports_as_a_check(built: Path) -> None:
    events = [e.dagster_event for e in _run_events(built) if e.dagster_event is not None]
    materialized = {
        e.asset_key.path[-1]: e.materialization.metadata
        for e in events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    with duckdb.connect(str(built), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_schema in ('main', 'intermediate')"
        ).fetchall()
        assert len(tables) > 15
        for schema, name in tables:
            (count,) = con.execute(f"select count(*) from {schema}.{name}").fetchall()[0]
            assert materialized[name]["dagster/row_count"].value == count, name

    dbt_checks = {
        k for k in defs.resolve_asset_graph().asset_check_keys if not k.name.startswith("gx_")
    }
    evaluated = {
        AssetCheckKey(
            e.asset_check_evaluation_data.asset_key, e.asset_check_evaluation_data.check_name
        ): e.asset_check_evaluation_data.passed
        for e in events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert len(dbt_checks) > 50
    assert {k: evaluated.get(k) for k in dbt_checks} == dict.fromkeys(dbt_checks, True)
