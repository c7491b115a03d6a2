"""The dbt unit tests (hand-computed expectations for the tricky SQL) run here: builds
exclude them, as dbt recommends for production runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_every_dbt_unit_test_passes(built: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
        ],  # fmt: skip
        cwd=REPO_ROOT / "dbt_project",
        env={**os.environ, "WAREHOUSE_PATH": str(built)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    # one "n of N PASS model::test" line per unit test (PASS= also counts the hooks)
    passed = len(re.findall(r"\d+ of \d+ PASS \w+::\w+", result.stdout))
    declared = sum(
        path.read_text().count("\n  - name: ")
        for path in (REPO_ROOT / "dbt_project" / "models").rglob("*unit_tests.yml")
    )
    assert passed == declared >= 10
