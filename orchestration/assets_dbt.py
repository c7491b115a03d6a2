"""dbt models, seeds and tests as Dagster assets (dagster-dbt)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration import settings
from orchestration.assets_landing import WAREHOUSE_POOL
from orchestration.project import dbt_project


class ProjectTranslator(DagsterDbtTranslator):
    """Groups dbt nodes by layer: the folder under ``models/`` (seeds: ``reference``).

    dbt sources keep the default key ``[source_name, table]``, i.e. ``raw/<source>_lines``,
    which is the key of the landing assets, so lineage runs from dump to mart.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


translator = ProjectTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


# The funnel marts are built in a step of their own, after the blocking Great
# Expectations checks on fact_product_events (orchestration/checks.py) have passed.
MARTS_SELECTION = "int_funnel_journeys+ mart_abandoned_carts"


def _build(context: AssetExecutionContext, dbt: DbtCliResource):
    # dbt-duckdb creates the database file but not its folder.
    settings.warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=MARTS_SELECTION,
    name="dbt_models",
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, staging, intermediate models, facts, dimensions and audit tables (dbt build:
    run + test); dbt tests report as asset checks."""
    yield from _build(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=MARTS_SELECTION,
    name="dbt_funnel_marts",
    pool=WAREHOUSE_POOL,
)
def dbt_funnel_marts(context: AssetExecutionContext, dbt: DbtCliResource):
    """The funnel journeys and marts; they wait for the blocking contract checks."""
    yield from _build(context, dbt)
