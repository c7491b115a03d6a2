"""The dbt CLI resource, minus a subprocess per step.

dagster-dbt learns the dbt version by running ``dbt --version`` once per resource
instance, i.e. once per step: ~5 s of Python start-up each time on this machine. The
version of the installed dbt-core package is the same answer, read from its metadata.
"""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class ProjectDbtCliResource(DbtCliResource):
    """``DbtCliResource`` for the dbt-core installed beside this package."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))
