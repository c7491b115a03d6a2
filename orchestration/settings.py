"""One place for the paths every part of the project shares.

Dagster, dbt (through ``dbt_project/profiles.yml``), the notebooks and the tests all
read the same two environment variables. Relative values are resolved against the
repository root, never the current directory, so ``dbt`` run from ``dbt_project/``
and Dagster run from the root point at the same file.

Two files make the warehouse (see ``orchestration/defs/warehouse/files.py``):

- ``$WAREHOUSE_PATH``, the **published** warehouse: what readers open (notebooks, SQL
  clients, BI tools). A build never writes it; it replaces it, atomically, when done.
- the **build file** beside it, ``<folder>/.build/<name>``: the file builds write
  (landing, dbt, the checks' marks). Same file name, so DuckDB's catalog name (the
  name without ``.duckdb``), which dbt writes into its views, is the same in both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

SOURCES: tuple[str, ...] = ("usercom", "esputnik", "insend")

DEFAULT_RAW_DATA_DIR = "raw_samples"
DEFAULT_WAREHOUSE_PATH = "warehouse/warehouse.duckdb"


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def raw_data_dir() -> Path:
    """The landing folder: ``$RAW_DATA_DIR`` (default ``raw_samples``)."""
    return _resolve(os.environ.get("RAW_DATA_DIR") or DEFAULT_RAW_DATA_DIR)


def warehouse_path() -> Path:
    """The DuckDB warehouse file: ``$WAREHOUSE_PATH`` (default ``warehouse/warehouse.duckdb``)."""
    return _resolve(os.environ.get("WAREHOUSE_PATH") or DEFAULT_WAREHOUSE_PATH)


def build_path(published: Path | None = None) -> Path:
    """The file builds write, beside the published warehouse: ``<folder>/.build/<name>``.
    dbt_project/profiles.yml derives the same path from ``$WAREHOUSE_PATH``."""
    published = published or warehouse_path()
    return published.parent / ".build" / published.name


def dbt_environment() -> dict[str, str]:
    """The variables dbt's profile reads, as absolute paths: dbt resolves a relative
    path against its current folder, which is not the repository root when dbt runs
    inside a Dagster or ``make run`` process."""
    return {"WAREHOUSE_PATH": str(warehouse_path())}


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """`variables` set in os.environ meanwhile (dbt's profile reads them), then restored."""
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def parse_environment(published: Path | None = None) -> dict[str, str]:
    """The variables dbt's profile reads when the project is parsed: the warehouse's
    file name in the default folder. dbt parses every file again when the profile
    differs from the one its partial-parse file was written with (a new folder is a new
    profile), yet the only thing the path changes in a parsed project is the database
    name, the file's stem, which this keeps (tests/test_dbt_resource.py)."""
    name = (published or warehouse_path()).name
    return {"WAREHOUSE_PATH": str(_resolve(DEFAULT_WAREHOUSE_PATH).with_name(name))}


def duckdb_config() -> dict[str, str]:
    """Bounded memory for every DuckDB connection the project opens (dbt reads the same
    variables in profiles.yml): past the limit DuckDB spills to the temp directory."""
    # beside the warehouse file, as DuckDB would put it: its folder exists by then
    temp = os.environ.get("DUCKDB_TEMP_DIRECTORY") or f"{build_path()}.tmp"
    return {
        "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT") or "1.6GB",
        "temp_directory": temp,
        "preserve_insertion_order": "false",
    }
