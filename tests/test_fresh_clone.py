"""First contact: `make run` on a fresh clone with none of the project's variables set,
as a new user runs it (the defaults of CONTRACT.md §1), from the clone's own folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, query, sample_line_counts

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process

# what the user's shell would not have: this project's variables, and what `make test`
# (the parent of this test) exports
UNSET = (
    "WAREHOUSE_PATH", "RAW_DATA_DIR", "DAGSTER_HOME", "GX_ROOT", "UV_PROJECT_ENVIRONMENT",
    "VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
)  # fmt: skip
MAX_LINES = 60


def test_make_run_on_a_fresh_clone_uses_the_defaults(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    result = subprocess.run(
        ["make", "run"], cwd=clone, env=env, capture_output=True, text=True, timeout=1500
    )
    output = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0, "\n".join(output[-80:])
    assert len(output) <= MAX_LINES, "\n".join(output)
    assert result.stdout.splitlines()[-1].startswith("RUN OK"), result.stdout[-500:]

    # the samples, in <clone>/warehouse/warehouse.duckdb, every line audited once
    published = clone / "warehouse" / "warehouse.duckdb"
    lines = sum(sample_line_counts(clone / "raw_samples").values())
    assert query(published, "select count(*) from audit_raw_lines") == [(lines,)]
    assert query(published, "select count(*) from mart_funnel_daily")[0][0] > 0

    # dbt on its own reads the same warehouse: from dbt_project/ as the README says, from
    # the root with --project-dir, from another folder
    dbt_dir = clone / "dbt_project"
    for cwd, where in ((dbt_dir, "."), (clone, "dbt_project"), (tmp_path, str(dbt_dir))):
        command = [str(clone / ".venv" / "bin" / "dbt"), "show", "--inline"]
        command += ["select count(*) as n from audit_raw_lines", "--output", "json"]
        command += ["--project-dir", where, "--profiles-dir", where]
        shown = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        assert shown.returncode == 0, (cwd, shown.stdout[-3000:])
        assert json.loads(shown.stdout[shown.stdout.index("{") :]) == {"show": [{"n": lines}]}
