"""Dagster resources: the one DuckDB warehouse and the landing folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from pydantic import Field

from orchestration import settings


class WarehouseResource(ConfigurableResource):
    """The embedded DuckDB warehouse and the folder its raw dumps land from.

    Both default to the shared settings (``$WAREHOUSE_PATH``, ``$RAW_DATA_DIR``), so
    Dagster, dbt, the notebooks and the tests agree on one file.
    """

    warehouse_path: str = Field(default_factory=lambda: str(settings.warehouse_path()))
    raw_data_dir: str = Field(default_factory=lambda: str(settings.raw_data_dir()))

    @property
    def raw_dir(self) -> Path:
        return Path(self.raw_data_dir)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = Path(self.warehouse_path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only, config=settings.duckdb_config())
        try:
            yield con
        finally:
            con.close()
