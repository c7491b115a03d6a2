"""The dbt CLI resource, minus the start-up work this project does not use.

- dagster-dbt learns the dbt version by running ``dbt --version`` once per resource
  instance, i.e. once per step: ~5 s of Python start-up each time on this machine. The
  version of the installed dbt-core package is the same answer, read from its metadata.
- Before each ``dbt`` command, dagster-dbt also loads a dbt adapter inside the Dagster
  process (profile, project and every macro parsed again: ~1.5 s a step). It serves only
  ``fetch_row_counts()`` and ``fetch_column_metadata()``, which this project does not
  call: the row counts are read by ``orchestration.assets_dbt`` once dbt has exited.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class ProjectDbtCliResource(DbtCliResource):
    """``DbtCliResource`` for the dbt-core installed beside this package."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        # dagster-dbt runs the command without an adapter when this returns nothing
        # (as when loading one fails); only the adapter-backed fetches would need it.
        return None
