"""Execute the analyst notebooks headless and render them to HTML (`make notebooks`).

Notebooks are committed without outputs; this runs them against the current warehouse
($WAREHOUSE_PATH, read-only) with nbclient and writes `build/notebooks/<name>.html`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from orchestration.settings import REPO_ROOT

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
OUTPUT_DIR = REPO_ROOT / "build" / "notebooks"


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """The notebook with its outputs, run in its own folder; raises on a failing cell."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return notebook


def render(notebook: nbformat.NotebookNode, target: Path) -> Path:
    html, _ = HTMLExporter().from_notebook_node(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        target = render(execute(path), args.out / f"{path.stem}.html")
        print(f"{path.relative_to(REPO_ROOT)} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
