"""The Dagster definitions load and wire dbt sources to the landing assets."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dagster import AssetCheckKey, DagsterInstance, EventLogEntry
from dagster._core.instance.ref import InstanceRef

from orchestration.definitions import defs
from orchestration.defs.dbt.resource import DBT_ENDED
from orchestration.defs.warehouse.pii import KEY_FILE_NAME
from orchestration.settings import SOURCES
from tests.conftest import plant_bad_audit_row, run_cli


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
    """Every event of the single run made with the Dagster home beside `built`, in order."""
    home = built.parent / "dagster_home"
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        (run,) = instance.get_runs()
        return list(instance.all_logs(run.run_id))


def test_dbt_assets_carry_row_counts_and_every_dbt_test_reports_as_a_check(built: Path) -> None:
    entries = _run_events(built)
    events = [e.dagster_event for e in entries if e.dagster_event is not None]
    # streamed: each model's materialization is logged as dbt reports it, before dbt ends
    in_dbt_step = [e for e in entries if e.step_key == "dbt_models"]
    ended = next(i for i, e in enumerate(in_dbt_step) if e.user_message.startswith(DBT_ENDED))
    first = next(
        i
        for i, e in enumerate(in_dbt_step)
        if e.is_dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
    )
    assert first < ended
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
        # a mart's preview: a table by its natural key, rates rounded, no hash key
        expected = con.execute(
            "select cast(funnel_date as varchar), source_system, contacts_viewed,"
            " round(view_to_purchase_rate, 3) from mart_funnel_daily"
            " order by funnel_date, source_system limit 5"
        ).fetchall()
    preview = materialized["mart_funnel_daily"]["preview"]
    assert [c.name for c in preview.schema.columns] == [
        "day",
        "source",
        "viewed",
        "carted",
        "purchased",
        "view_to_purchase",
    ]
    assert [
        tuple(r.data[c] for c in ("day", "source", "viewed", "view_to_purchase"))
        for r in preview.records
    ] == expected

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


def test_a_failing_dbt_test_fails_its_step_after_recording_what_dbt_built(
    built: Path, tmp_path: Path
) -> None:
    """dbt runs inside the Dagster process (orchestration/defs/dbt/resource.py): a failed test
    is a failed check, the step and the run fail, what dbt built is still recorded, and
    the funnel marts downstream do not run."""
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built, warehouse)
    shutil.copy(built.parent / KEY_FILE_NAME, warehouse.parent)  # the same pseudonyms
    plant_bad_audit_row(warehouse)  # the next build's tests look at it
    raw = built.parent.parent / "raw"
    result = run_cli(raw, warehouse)
    assert result.returncode == 1, result.stdout[-3000:]

    events = [e.dagster_event for e in _run_events(warehouse) if e.dagster_event is not None]
    failed_checks = {
        e.asset_check_evaluation_data.check_name
        for e in events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    }
    assert any(name.startswith("accepted_values_audit_raw_lines_outcome") for name in failed_checks)
    assert any(name.startswith("assert_every_landed_line") for name in failed_checks)
    assert {e.step_key for e in events if e.event_type_value == "STEP_FAILURE"} == {"dbt_models"}
    materialized = {
        e.asset_key.path[-1] for e in events if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert {"audit_raw_lines", "fact_product_events", "dim_products"} <= materialized
    assert not materialized & {"mart_funnel_daily", "mart_product_funnel", "mart_abandoned_carts"}
