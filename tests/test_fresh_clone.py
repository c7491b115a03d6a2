"""First contact: `make run` on a fresh clone with none of the project's variables set,
as a new user runs it (the defaults of CONTRACT.md §1), from the clone's own folder."""

from __future__ import annotations

import json
import os
import re
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

    # dbt on its own reads the same warehouse: from dbt_project/ as the README says
    dbt = str(clone / ".venv" / "bin" / "dbt")
    dbt_dir = clone / "dbt_project"
    command = [dbt, "show", "--inline", "select count(*) as n from audit_raw_lines"]
    shown = subprocess.run(
        [*command, "--output", "json", "--profiles-dir", "."],
        cwd=dbt_dir, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stdout[-3000:]
    assert json.loads(shown.stdout[shown.stdout.index("{") :]) == {"show": [{"n": lines}]}
    # and connects to the same file from the root with --project-dir and from another
    # folder (`dbt debug` opens the profile's database and prints its path, relative to
    # the folder dbt was started in; `dbt show` would parse the whole project again, as
    # each folder is a new profile to dbt's partial parsing)
    for cwd, where in ((clone, "dbt_project"), (tmp_path, str(dbt_dir))):
        debug = subprocess.run(
            [dbt, "debug", "--project-dir", where, "--profiles-dir", where],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert debug.returncode == 0, (cwd, debug.stdout[-3000:])
        path = re.search(r"^\S*\s+path: (\S+)$", debug.stdout, re.MULTILINE)
        assert path, debug.stdout
        assert (cwd / path[1]).resolve() == (
            clone / "warehouse" / ".build" / "warehouse.duckdb"
        ).resolve()
