"""Dagster resources: the one DuckDB warehouse and the landing folder."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr

from orchestration import settings
from orchestration.defs.warehouse.files import (
    HOST_TAG,
    PID_TAG,
    WriterLock,
    prepare_build_file,
    recover_dead_runs,
)


class WarehouseResource(ConfigurableResource):
    """The embedded DuckDB warehouse and the folder its raw dumps land from.

    Both default to the shared settings (``$WAREHOUSE_PATH``, ``$RAW_DATA_DIR``), so
    Dagster, dbt, the notebooks and the tests agree on one file. In a run, the resource
    holds the warehouse's writer lock from its first step to its end, and its steps
    write the build file; ``published_warehouse`` publishes it (``files.publish``).
    """

    warehouse_path: str = Field(default_factory=lambda: str(settings.warehouse_path()))
    raw_data_dir: str = Field(default_factory=lambda: str(settings.raw_data_dir()))
    _lock: WriterLock | None = PrivateAttr(default=None)

    @property
    def raw_dir(self) -> Path:
        return Path(self.raw_data_dir)

    @property
    def published(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def build_file(self) -> Path:
        return settings.build_path(self.published)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        run = context.dagster_run
        if run is None or context.instance is None:  # used outside a run
            return
        context.instance.add_run_tags(
            run.run_id, {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
        )
        for line in recover_dead_runs(context.instance, own_run_id=run.run_id):
            context.log.warning(line)
        lock = WriterLock(self.build_file)
        lock.acquire(run.run_id, on_wait=context.log.warning)
        self._lock = lock
        prepare_build_file(self.published, self.build_file)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build file (the file runs write)."""
        path = self.build_file
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only, config=settings.duckdb_config())
        try:
            yield con
        finally:
            con.close()
