"""One place for the paths every part of the project shares.

Dagster, dbt (through ``dbt_project/profiles.yml``), the notebooks and the tests all
read the same two environment variables. Relative values are resolved against the
repository root, never the current directory, so ``dbt`` run from ``dbt_project/``
and Dagster run from the root point at the same file.
"""

from __future__ import annotations

import os
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


def duckdb_config() -> dict[str, str]:
    """Bounded memory for every DuckDB connection the project opens (dbt reads the same
    variables in profiles.yml): past the limit DuckDB spills to the temp directory."""
    # beside the warehouse file, as DuckDB would put it: its folder exists by then
    temp = os.environ.get("DUCKDB_TEMP_DIRECTORY") or f"{warehouse_path()}.tmp"
    return {
        "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT") or "2GB",
        "temp_directory": temp,
        "preserve_insertion_order": "false",
    }
