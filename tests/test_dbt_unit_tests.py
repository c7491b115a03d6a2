"""The dbt unit tests (hand-computed expectations for the tricky SQL) run here: builds
exclude them, as dbt recommends for production runs."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO_ROOT, dbt


def test_every_dbt_unit_test_passes(built: Path) -> None:
    result = dbt(built, "test", "--select", "test_type:unit")
    assert result.returncode == 0, result.stdout[-4000:]
    # one "n of N PASS model::test" line per unit test (PASS= also counts the hooks)
    passed = len(re.findall(r"\d+ of \d+ PASS \w+::\w+", result.stdout))
    declared = sum(
        path.read_text().count("\n  - name: ")
        for path in (REPO_ROOT / "dbt_project" / "models").rglob("*unit_tests.yml")
    )
    assert passed == declared >= 10
