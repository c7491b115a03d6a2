"""The Dagster definitions load and wire dbt sources to the landing assets."""

from __future__ import annotations

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
