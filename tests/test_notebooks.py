"""The notebooks run headless with parameters (papermill) on the samples and on a
generated 20 k-event warehouse: every cell runs, every chart cell draws, and no chart
adds up money across currencies."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import nbformat
import pytest
from bs4 import BeautifulSoup

from orchestration.notebooks import NOTEBOOK_DIR, execute, render
from tests.conftest import SHARED_KEY, build_file, dbt_here, land_here
from tools.generate import Spec, generate

NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))


@pytest.fixture(scope="module")
def generated_20k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 k generated events (bad, repeated and late lines among them), built by dbt in
    this process as a run builds them."""
    tmp = tmp_path_factory.mktemp("notebooks")
    generate(Spec(events=20_000, days=5, seed=21), tmp / "raw", progress=False)
    warehouse = tmp / "wh" / "warehouse.duckdb"
    land_here(warehouse, tmp / "raw")
    result = dbt_here(warehouse, "build", "--exclude-resource-type", "unit_test", **SHARED_KEY)
    assert result.success, result.failed()
    return build_file(warehouse)


def parameters_for(warehouse: Path) -> dict:
    """A product with events, a window that leaves the first day out, one source."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (product,) = con.execute(
            "select product_id from fact_product_events"
            " group by product_id order by count(*) desc, product_id limit 1"
        ).fetchall()[0]
        since, until = con.execute(
            "select min(funnel_date) + 1, max(funnel_date) from mart_funnel_daily"
        ).fetchall()[0]
    return {
        "PRODUCT_ID": product, "SINCE": str(since), "UNTIL": str(until), "SOURCE": "usercom",
    }  # fmt: skip


def frames(cell: nbformat.NotebookNode) -> list[list[dict]]:
    """The tables a cell displayed (pandas' HTML), each as rows of column -> text."""
    tables = []
    for output in cell.outputs:
        html = output.get("data", {}).get("text/html")
        if not html:
            continue
        table = BeautifulSoup(html, "html.parser").find("table")
        names = [th.get_text() for th in table.find("thead").find_all("tr")[0].find_all("th")]
        body = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.tbody("tr")]
        tables.append([dict(zip(names[1:], row[1:], strict=True)) for row in body])
    return tables


def cell_with(notebook: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in notebook.cells if c.cell_type == "code" and text in c.source]
    return cell


def money_by(rows: list[tuple], keys: int) -> dict[tuple, float]:
    """Independent sums: the last value of each row added up under its first `keys`."""
    sums: dict[tuple, float] = defaultdict(float)
    for row in rows:
        sums[tuple(row[:keys])] += row[keys] or 0.0
    return dict(sums)


def check_money(notebook: nbformat.NotebookNode, name: str, warehouse: Path, given: dict) -> None:
    """The data behind each money chart: one bar per currency (and day or source), each
    the sum of that currency's carts only, as summed here from the mart's rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if name == "funnel_overview":
            (shown,) = frames(cell_with(notebook, "from mart_abandoned_carts"))
            keys = ("day", "currency")
            expected = money_by(
                con.execute(
                    "select cast(cast(last_change_at as date) as varchar),"
                    " coalesce(currency, 'not sent'), cart_value from mart_abandoned_carts"
                    " where is_abandoned and source_system = ?"
                    " and cast(last_change_at as date) between ? and ?",
                    [given["SOURCE"], given["SINCE"], given["UNTIL"]],
                ).fetchall(),
                2,
            )
        elif name == "segments":
            (shown,) = frames(cell_with(notebook, "segment_id = 'carted_not_purchased'"))
            keys = ("currency", "source_system")
            expected = money_by(
                con.execute(
                    "select coalesce(currency, 'not sent'), source_system, cart_value"
                    " from mart_contact_segments where segment_id = 'carted_not_purchased'"
                ).fetchall(),
                2,
            )
        else:
            return
    bars = [tuple(row[k] for k in keys) for row in shown]
    assert len(bars) == len(set(bars)), "two bars for one currency"
    assert {tuple(row[k] for k in keys): round(float(row["value"]), 2) for row in shown} == {
        k: round(v, 2) for k, v in expected.items()
    }


@pytest.mark.pipeline
@pytest.mark.parametrize("corpus", ["samples", "generated_20k"])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_with_parameters_and_draws_every_chart(
    name: str, corpus: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    warehouse = request.getfixturevalue("built" if corpus == "samples" else "generated_20k")
    given = {"WAREHOUSE_PATH": str(warehouse), **parameters_for(warehouse)}
    notebook = execute(NOTEBOOK_DIR / f"{name}.ipynb", given, output=tmp_path / f"{name}.ipynb")
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code_cells[0].metadata.get("tags", [])
    injected = [c for c in code_cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'WAREHOUSE_PATH = "{warehouse}"' in injected[0].source
    assert all(c.execution_count is not None for c in code_cells), "a cell did not run"
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    chart_cells = [c for c in code_cells if "plt.show()" in c.source]
    assert chart_cells
    for cell in chart_cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"no chart drawn by:\n{cell.source[:200]}"
    check_money(notebook, name, warehouse, given)
    html = render(notebook, tmp_path / f"{name}.html")
    assert "<img" in html.read_text()


def test_notebooks_are_committed_without_outputs() -> None:
    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


def test_every_notebook_is_a_dbt_exposure_of_the_tables_it_reads() -> None:
    import json
    import re

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
