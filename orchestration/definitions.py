"""The single Dagster entry point (``[tool.dagster]`` in pyproject.toml)."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job
from dagster_dbt import DbtCliResource

from orchestration.assets_dbt import dbt_funnel_marts, dbt_models
from orchestration.assets_landing import landing_assets
from orchestration.checks import gx_checks
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource

build_everything = define_asset_job(
    "build_everything",
    selection=AssetSelection.all(),
    description="Land every new dump, then build and test every dbt model.",
)

defs = Definitions(
    assets=[*landing_assets, dbt_models, dbt_funnel_marts],
    asset_checks=gx_checks,
    jobs=[build_everything],
    resources={
        "warehouse": WarehouseResource(),
        # The dbt of this environment, whether or not its bin/ is on PATH.
        "dbt": DbtCliResource(
            project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt")
        ),
    },
)
