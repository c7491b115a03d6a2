"""The dbt project as dagster-dbt sees it, with its manifest prepared when missing."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# `dagster dev` re-parses on every load; elsewhere (make run, tests) `make` parses
# first, and a missing manifest is parsed here rather than failing the import.
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    dbt_project.preparer.prepare(dbt_project)
