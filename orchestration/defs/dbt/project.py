"""The dbt project as dagster-dbt sees it, with its manifest prepared when missing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.defs.dbt.parse import prepare
from orchestration.settings import DBT_PROJECT_DIR, dbt_environment

# dagster-dbt's preparer (and any DbtCliResource without an explicit executable) runs
# `dbt` from PATH; make that the dbt of this environment, however Dagster was started.
_BIN = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN:
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

# dbt resolves a relative warehouse path against its current folder: hand it absolute ones.
os.environ.update(dbt_environment())

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# `dagster dev` parses again on every load (dagster-dbt's prepare_if_dev); elsewhere
# (make run, tests) `make` parses first, and a missing manifest is parsed here rather
# than failing the import. Either parse swaps the manifest in whole (parse.py).
if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
    prepare(dbt_project)
