"""Both notebooks run headless against a warehouse built from raw_samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.notebooks import NOTEBOOK_DIR, execute, render


@pytest.mark.parametrize("name", ["funnel_overview", "product_explorer", "segments"])
def test_notebook_runs_and_draws_every_chart(
    name: str, built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", str(built))  # the kernel inherits the environment
    notebook = execute(NOTEBOOK_DIR / f"{name}.ipynb")
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells[0].metadata.get("tags") == ["parameters"]
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    chart_cells = [c for c in code_cells if "plt.show()" in c.source]
    assert chart_cells
    for cell in chart_cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"no chart drawn by:\n{cell.source[:200]}"
    html = render(notebook, tmp_path / f"{name}.html")
    assert "<img" in html.read_text()


def test_notebooks_are_committed_without_outputs() -> None:
    import nbformat

    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


def test_every_notebook_is_a_dbt_exposure_of_the_tables_it_reads() -> None:
    import json
    import re

    import nbformat
    import yaml

    from orchestration.settings import DBT_PROJECT_DIR

    exposures = yaml.safe_load((DBT_PROJECT_DIR / "models" / "_notebooks.yml").read_text())
    by_url = {e["url"]: e for e in exposures["exposures"] if e["type"] == "notebook"}
    notebooks = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    assert sorted(by_url) == [f"../notebooks/{p.name}" for p in notebooks]
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    tables = {
        n["name"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")
    }
    for path in notebooks:
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        read = set(re.findall(r"\b(?:from|join) (?:reference\.)?(\w+)\b", source)) & tables
        depends_on = by_url[f"../notebooks/{path.name}"]["depends_on"]
        assert read == {d.removeprefix("ref('").removesuffix("')") for d in depends_on}, path.name
