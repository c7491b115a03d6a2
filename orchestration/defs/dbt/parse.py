"""The project's manifest, parsed where no reader sees it half written.

dbt writes ``manifest.json`` in place. Every process that imports the definitions
reads that file (dagster-dbt's ``@dbt_assets``), and ``dagster dev`` parses the project
again on every load: a ``make run`` started meanwhile read a truncated manifest and
failed (``orjson.JSONDecodeError: unexpected end of data``). So every parse of the
project's own target folder (``make manifest``, ``dagster dev``) goes through
``parse_project``: dbt parses into a folder of its own, then each file it wrote takes
its place in one rename, the manifest last.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import environment, parse_environment

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# the order they are moved in: the manifest, what readers open, goes last
WRITTEN = (PARTIAL_PARSE_FILE, "semantic_manifest.json", "manifest.json")


def project_target(project_dir: Path) -> Path:
    """The project's own target folder (``$DBT_TARGET_PATH``, as dagster-dbt reads it)."""
    return project_dir / os.environ.get("DBT_TARGET_PATH", "target")


class DbtParseError(RuntimeError):
    """dbt's parse failed; the project's target folder was left as it was."""


def parse_project(project_dir: Path, profiles_dir: Path, target: Path) -> None:
    """Parse the project as a run parses it (``settings.parse_environment``, so that the
    run's own parse stays partial) and swap what dbt wrote into ``target``."""
    from dbt.cli.main import dbtRunner

    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".parse-", dir=target))
    try:
        if (target / PARTIAL_PARSE_FILE).exists():  # start from it: a partial parse
            shutil.copy(target / PARTIAL_PARSE_FILE, staging / PARTIAL_PARSE_FILE)
        with environment(parse_environment()):
            result = dbtRunner().invoke(
                [
                    "parse",
                    "--quiet",
                    "--project-dir",
                    str(project_dir),
                    "--profiles-dir",
                    str(profiles_dir),
                    "--target-path",
                    str(staging),
                ]
            )
        if not result.success:
            raise DbtParseError(f"dbt parse failed: {result.exception or 'see dbt_project/logs'}")
        for name in WRITTEN:
            if (staging / name).exists():
                os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare(project: DbtProject) -> None:
    """What dagster-dbt's preparer does for this project (no dbt packages to install):
    the parse, one process at a time (its lock file; a process that waited finds the
    manifest new and skips), but through ``parse_project``."""
    from dagster._utils import run_with_concurrent_update_guard

    run_with_concurrent_update_guard(
        project.manifest_path,
        parse_project,
        project_dir=project.project_dir,
        profiles_dir=project.profiles_dir,
        target=project.manifest_path.parent,
    )
