"""The dbt unit tests (hand-computed expectations for the tricky SQL) run here: builds
exclude them, as dbt recommends for production runs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO_ROOT, dbt_here


def test_every_dbt_unit_test_passes(built: Path) -> None:
    result = dbt_here(built, "test", "--select", "test_type:unit")
    assert result.success, result.failed()
    passed = sum(
        r.node.resource_type == "unit_test" and str(r.status) == "pass" for r in result.results
    )
    declared = sum(
        path.read_text().count("\n  - name: ")
        for path in (REPO_ROOT / "dbt_project" / "models").rglob("*unit_tests.yml")
    )
    assert passed == declared >= 10
