"""The single Dagster entry point (``[tool.dagster]`` in pyproject.toml)."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.defs.dbt.assets import dbt_funnel_marts, dbt_models
from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.resource import ProjectDbtCliResource
from orchestration.defs.landing.assets import landing_assets
from orchestration.defs.quality.checks import gx_checks
from orchestration.defs.sensors import build_schedules, build_sensors
from orchestration.defs.warehouse.publish import published_warehouse
from orchestration.defs.warehouse.resources import WarehouseResource
from orchestration.event_log import keep_engines
from orchestration.loggers import LOGGERS

keep_engines()  # the runs' events: one engine per SQLite file (orchestration/event_log.py)

build_everything = define_asset_job(
    "build_everything",
    selection=AssetSelection.all(),
    description="Land every new dump, build and test every dbt model, run the checks, "
    "then publish the warehouse to $WAREHOUSE_PATH.",
    # One process per run: DuckDB takes one writer at a time, so steps in separate
    # processes would only wait for each other (and pay Python start-up per step).
    executor_def=in_process_executor,
)

defs = Definitions(
    assets=[*landing_assets, dbt_models, dbt_funnel_marts, published_warehouse],
    asset_checks=gx_checks,
    jobs=[build_everything],
    sensors=build_sensors(build_everything),
    loggers=LOGGERS,
    schedules=build_schedules(build_everything),
    resources={
        "warehouse": WarehouseResource(),
        # The dbt of this environment, whether or not its bin/ is on PATH.
        "dbt": ProjectDbtCliResource(
            project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt")
        ),
    },
)
