"""The dbt resource's housekeeping: invocation folders do not pile up."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.defs.dbt.resource import _prune_invocations


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


def test_the_private_names_the_resource_depends_on_are_still_there() -> None:
    """orchestration/defs/dbt/resource.py leans on names dagster-dbt and dbt-duckdb do not
    publish. A new version that moves or reshapes one fails here, by name, rather than
    in the middle of a run."""
    import inspect

    from dagster_dbt import DbtCliResource
    from dagster_dbt.asset_utils import (
        DbtCliInvocationPartialParams,
        extract_runtime_selection_from_args,
        get_updated_cli_invocation_params_for_context,
    )
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
    from dbt.adapters.base import BaseAdapter
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.duckdb.environments.local import LocalEnvironment
    from dbt.adapters.factory import FACTORY
    from dbt_common.events.functions import msg_to_dict

    from orchestration.defs.dbt.resource import RESULT_EVENTS, ProjectDbtCliResource

    def parameters(function) -> list[str]:
        return [p for p in inspect.signature(function).parameters if p != "self"]

    assert parameters(extract_runtime_selection_from_args) == ["args"]
    assert parameters(get_updated_cli_invocation_params_for_context) == [
        "context", "manifest", "dagster_dbt_translator", "runtime_selects", "runtime_excludes",
    ]  # fmt: skip
    assert {"manifest", "dagster_dbt_translator", "selection_args", "indirect_selection",
            "dbt_project"} <= set(DbtCliInvocationPartialParams.__annotations__)  # fmt: skip
    assert parameters(DbtCoreCliEventMessage) == ["raw_event", "event_history_metadata"]
    assert {"manifest", "dagster_dbt_translator", "context", "target_path", "project"} <= set(
        parameters(DbtCoreCliEventMessage.to_default_asset_events)
    )
    # the events the resource keeps are those dagster-dbt turns into asset events
    source = inspect.getsource(DbtCoreCliEventMessage)
    assert all(f'"{name}"' in source for name in RESULT_EVENTS - {"LogSnapshotResult"})
    assert parameters(DbtCliResource._get_unique_target_path) == ["context"]
    # overridden by the resource: the base names must exist for the overrides to matter
    for name in ("_initialize_dbt_core_adapter", "_cli_version"):
        assert name in vars(DbtCliResource), name
        assert name in vars(ProjectDbtCliResource), name
    assert hasattr(DuckDBConnectionManager, "_ENV")
    # dbt_database() reads dbt's open database; _stop() cancels dbt's running queries
    assert "self.conn" in inspect.getsource(LocalEnvironment.handle)
    assert isinstance(FACTORY.adapters, dict)
    assert parameters(BaseAdapter.cancel_open_connections) == []
    assert callable(DuckDBConnectionManager.close_all_connections)
    assert callable(msg_to_dict)
