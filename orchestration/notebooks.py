"""Execute the analyst notebooks headless and render them to HTML (`make notebooks`).

Notebooks are committed without outputs; this runs each against the published
warehouse ($WAREHOUSE_PATH, read-only) with papermill, which puts the parameters given
(`-p NAME VALUE`, e.g. `-p PRODUCT_ID SKU-100 -p SINCE 2026-03-01`) into the cell
tagged `parameters` of every notebook that declares them, and writes
`build/notebooks/<name>.ipynb` (executed) and `<name>.html`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from orchestration.settings import REPO_ROOT

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
OUTPUT_DIR = REPO_ROOT / "build" / "notebooks"


def declared_parameters(path: Path) -> set[str]:
    """The names the notebook's `parameters` cell assigns."""
    import papermill

    return set(papermill.inspect_notebook(str(path)))


def execute(
    path: Path, parameters: dict | None = None, output: Path | None = None, timeout: int = 600
) -> nbformat.NotebookNode:
    """The notebook with its outputs, run in its own folder with those of `parameters`
    it declares (papermill); written to `output` when given. Raises on a failing cell
    (papermill.PapermillExecutionError, naming the cell)."""
    import papermill

    declared = declared_parameters(path)
    given = {k: v for k, v in (parameters or {}).items() if k in declared}
    # papermill logs each cell at INFO; the notebook's own output is what matters
    logging.getLogger("papermill").setLevel(logging.WARNING)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    executed = papermill.execute_notebook(
        str(path),
        str(output) if output is not None else None,
        parameters=given,
        kernel_name="python3",
        cwd=str(path.parent),
        progress_bar=False,
        execution_timeout=timeout,
    )
    return nbformat.from_dict(executed)


def render(notebook: nbformat.NotebookNode, target: Path) -> Path:
    """The notebook as one HTML page for readers: outputs only (the executed .ipynb
    keeps the code)."""
    html, _ = HTMLExporter(exclude_input=True).from_notebook_node(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html)
    return target


def _value(text: str) -> int | float | str:
    """A parameter from the command line: a number when it reads as one."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR)
    parser.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE")
    )
    parser.add_argument("notebooks", nargs="*", help="names (default: every notebook)")
    args = parser.parse_args(argv)
    parameters = {name: _value(value) for name, value in args.parameter}
    paths = [NOTEBOOK_DIR / f"{n}.ipynb" for n in args.notebooks] or sorted(
        NOTEBOOK_DIR.glob("*.ipynb")
    )
    unknown = set(parameters) - set().union(*(declared_parameters(p) for p in paths))
    if unknown:
        print(f"no notebook takes the parameter(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for path in paths:
        executed = execute(path, parameters, output=args.out / path.name)
        target = render(executed, args.out / f"{path.stem}.html")
        print(f"{path.relative_to(REPO_ROOT)} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
