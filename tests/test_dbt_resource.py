"""The dbt resource: invocation folders do not pile up, the private names it uses are
there, and its parse serves any warehouse folder."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from dagster import DagsterExecutionInterruptedError, raise_execution_interrupts
from dagster._utils.interrupts import capture_interrupts

from orchestration.defs.dbt.resource import _interrupts_redelivered, _prune_invocations


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


def _swallowed(signum: int) -> None:
    """A signal whose handler raises inside code that catches everything, as mashumaro's
    decoder does when the interrupt lands while dbt reads its partial-parse file."""
    try:
        os.kill(os.getpid(), signum)
        signal.sigtimedwait([], 0)  # a bytecode boundary: the handler has run by now
    except BaseException:
        pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupt_dbt_swallows_while_it_parses_still_stops_the_step(signum) -> None:
    """A step (Dagster's handler raising interrupts) whose dbt parse loses the signal
    still raises Dagster's interrupt once the parse returns, and the handlers in place
    before are back."""
    with capture_interrupts(), raise_execution_interrupts():
        before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        _swallowed(signum)  # without the guard the step would go on
        with pytest.raises(DagsterExecutionInterruptedError), _interrupts_redelivered():
            _swallowed(signum)
        assert {s: signal.getsignal(s) for s in before} == before


def test_no_signal_no_interrupt() -> None:
    with capture_interrupts(), raise_execution_interrupts(), _interrupts_redelivered():
        pass


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


@pytest.mark.pipeline  # parses the dbt project in this process, twice
def test_the_warehouse_folder_changes_nothing_parsed(tmp_path: Path) -> None:
    """A run parses the project with the warehouse's file name in the default folder
    (settings.parse_environment), so that the partial-parse file of `make manifest`
    serves any folder: the same project parsed for two folders is the same, node by
    node, relation names included; another file name is another database."""
    from dbt.cli.main import dbtRunner

    from orchestration.settings import DBT_PROJECT_DIR, environment

    def parse(path: Path) -> dict:
        target = tmp_path / "target" / f"{path.parent.name}-{path.stem}"
        args = ["parse", "--no-write-json", "--no-partial-parse", "--log-level", "none"]
        args += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        with environment({"WAREHOUSE_PATH": str(path)}):
            result = dbtRunner().invoke([*args, "--target-path", str(target)])
        assert result.success, result.exception
        return {
            uid: {k: v for k, v in node.to_dict().items() if k != "created_at"}
            for uid, node in result.result.nodes.items()
        }

    one = parse(tmp_path / "one" / "warehouse.duckdb")
    other = parse(tmp_path / "other" / "warehouse.duckdb")
    assert len(one) > 50
    assert one == other
    renamed = parse(tmp_path / "one" / "shop.duckdb")
    model = next(uid for uid in one if uid.endswith(".fact_product_events"))
    assert one[model]["relation_name"] == '"warehouse"."main"."fact_product_events"'
    assert renamed[model]["relation_name"] == '"shop"."main"."fact_product_events"'


@pytest.mark.pipeline  # parses the dbt project in this process
def test_a_parse_swaps_the_manifest_in_whole_and_a_failed_one_leaves_it(tmp_path: Path) -> None:
    """dbt writes manifest.json in place: a run that imported the definitions while
    `dagster dev` parsed read half a file (CI: orjson's "unexpected end of data"). A
    reader that opened the manifest before a parse still reads the old file whole; the
    path then holds the new one; a parse that fails changes nothing."""
    import shutil

    from orchestration.defs.dbt.parse import DbtParseError, parse_project
    from orchestration.settings import DBT_PROJECT_DIR

    target = tmp_path / "target"
    target.mkdir()
    old = '{"metadata": {"dbt_version": "old"}, "nodes": {}}'
    (target / "manifest.json").write_text(old)
    with (target / "manifest.json").open() as reader:
        before = os.fstat(reader.fileno()).st_ino
        parse_project(DBT_PROJECT_DIR, DBT_PROJECT_DIR, target)
        assert reader.read() == old  # the open file was not written over
    manifest = json.loads((target / "manifest.json").read_text())
    assert any(uid.endswith(".fact_product_events") for uid in manifest["nodes"])
    assert (target / "manifest.json").stat().st_ino != before
    assert sorted(p.name for p in target.iterdir()) == [
        "manifest.json", "partial_parse.msgpack", "semantic_manifest.json",
    ]  # fmt: skip

    broken = tmp_path / "broken"
    shutil.copytree(DBT_PROJECT_DIR, broken, ignore=shutil.ignore_patterns("target", "logs"))
    (broken / "models" / "marts" / "broken.sql").write_text("select * from {{ ref('nowhere') }}")
    parsed = (target / "manifest.json").read_bytes()
    with pytest.raises(DbtParseError, match="nowhere"):
        parse_project(broken, broken, target)
    assert (target / "manifest.json").read_bytes() == parsed
    assert not [p for p in target.iterdir() if p.name.startswith(".parse-")]


@pytest.mark.pipeline  # parses a copy of the dbt project in this process, twice
def test_a_run_loads_the_last_parse_until_a_project_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run parses the project and keeps the result; the next run of the same
    project loads it without asking dbt (no partial-parse file in its invocation folder)
    and gets the same nodes; a variable the project reads (`env_var()`) or a model's file
    changes, and the next run parses again (and sees the change)."""
    import shutil
    import sys

    from orchestration.defs.dbt import resource
    from orchestration.defs.dbt.parse import PARTIAL_PARSE_FILE
    from orchestration.settings import DBT_PROJECT_DIR

    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    dbt = resource.ProjectDbtCliResource(
        project_dir=str(project), dbt_executable=str(Path(sys.executable).parent / "dbt")
    )
    model = project / "models" / "marts" / "fact_site_events.sql"
    node_id = "model.product_events.fact_site_events"

    def manifest(run: str):
        folder = tmp_path / run
        common = ["--log-level", "none", "--project-dir", str(project)]
        common += ["--profiles-dir", str(project), "--target-path", str(folder)]
        common += ["--log-path", str(folder)]
        parsed = dbt._parsed_manifest(run, project, folder, common)
        return parsed, (folder / PARTIAL_PARSE_FILE).exists()

    first, dbt_parsed = manifest("run-1")
    assert dbt_parsed
    second, dbt_parsed = manifest("run-2")
    assert not dbt_parsed
    assert second is not first and sorted(second.nodes) == sorted(first.nodes)
    assert second.nodes[node_id].raw_code == model.read_text().rstrip("\n")
    # refs resolve in the loaded project: dbt's own pickling of a manifest misplaces its
    # fields (parse.store_parsed pickles them by name)
    assert second.fixtures == first.fixtures
    assert second.ref_lookup.find("fact_site_events", None, None, second).unique_id == node_id
    assert second.disabled_lookup.find("fact_site_events", None, None) is None

    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "1.5GB")  # read by profiles.yml
    assert manifest("run-3")[1]
    assert not manifest("run-4")[1]

    model.write_text(model.read_text() + "\n-- changed\n")
    third, dbt_parsed = manifest("run-5")
    assert dbt_parsed
    assert third.nodes[node_id].raw_code.endswith("-- changed")
