"""Dagster's SQLite event log, with one engine per database file.

Dagster's ``SqliteEventLogStorage`` stores every event of a run through
``_connect(shard)``: it creates a SQLAlchemy engine, connects, commits, closes the
connection and disposes the engine, for the run's database and again for the index
database (asset and check events). A build records about 420 events (an output and a
materialization per dbt model, an output and an evaluation per test), and a profile
of a 1 % day at 1 M events (py-spy, 53 s) put 12.6 s of the run's main thread in
``store_event``: 6.8 s of it in ``_connect`` (engine creation 1.1 s, connecting 1.0 s,
closing 1.9 s, disposing 0.4 s, the commit 2.2 s) and 3.1 s compiling SQL that a new
engine's empty statement cache compiled again for every event.

``keep_engines()`` replaces ``_connect`` with the same steps on an engine kept per
shard (and its pooled connection, its compiled statements): the same lock, the same
once-per-shard schema check (a shard Dagster forgets, as ``wipe()`` does, gets a new
engine), one transaction per use committed before it returns. Only the commit stays
per event. An open SQLite connection outside a transaction holds no lock, so
``dagster dev``'s webserver and daemon read and write the same files as before.

Dagster also asks ``has_table(name)`` of the index database several times per event
(whether asset checks, asset event tags, concurrency tables exist), and answers each
time with a new engine of its own: 2.0 s of a 1 M full build's main thread (py-spy,
43.8 s run). ``keep_engines()`` remembers a table once it is there: Dagster's
migrations add tables and never drop one, and ``wipe()`` empties the index without
dropping its tables. A table not there yet is
asked again each time, so one a migration adds is seen.

Before each read of asset records (once per asset a step's checks hang on, and around
stored asset events) Dagster asks ``has_secondary_index(name)``, a query of the index
database: 0.5 s of a samples run's main thread (py-spy, 17 s run). A data migration
Dagster has marked complete is never unmarked (``wipe()`` leaves those marks), so
``keep_engines()`` remembers an index once it is there; one not there yet is asked
again each time.

It is applied where the events of runs are written, on import of
``orchestration.definitions``: ``make run``'s process and each run ``dagster dev``
launches. ``tests/test_event_log.py`` fails by name if a Dagster release changes
what it replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine

_ENGINES = "_warehouse_engines"  # attribute of the storage: shard -> engine


@contextmanager
def _connect(self: SqliteEventLogStorage, shard: str) -> Iterator[Any]:
    with self._db_lock:
        engines = self.__dict__.setdefault(_ENGINES, {})
        engine = engines.get(shard)
        if engine is None or shard not in self._initialized_dbs:
            if engine is not None:  # forgotten (wipe): its file may be gone
                engine.dispose()
            engine = engines[shard] = create_engine(
                self.conn_string_for_shard(shard),
                pool_size=1,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        with engine.connect() as conn, conn.begin():
            yield conn


_TABLES = "_warehouse_tables"  # attribute of the storage: index tables known to be there


def _has_table(self: SqliteEventLogStorage, table_name: str) -> bool:
    # Dagster asks inside its own index transactions (which hold the storage's lock):
    # a miss is answered as Dagster answers it, on an engine of its own
    tables = self.__dict__.setdefault(_TABLES, set())
    if table_name not in tables and ORIGINAL["has_table"](self, table_name):
        tables.add(table_name)
    return table_name in tables


_INDEXES = "_warehouse_indexes"  # attribute of the storage: secondary indexes known complete


def _has_secondary_index(self: SqliteEventLogStorage, name: str) -> bool:
    indexes = self.__dict__.setdefault(_INDEXES, set())
    if name not in indexes and ORIGINAL["has_secondary_index"](self, name):
        indexes.add(name)
    return name in indexes


ORIGINAL = {
    "_connect": SqliteEventLogStorage._connect,
    "dispose": SqliteEventLogStorage.dispose,
    "has_table": SqliteEventLogStorage.has_table,
    "has_secondary_index": SqliteEventLogStorage.has_secondary_index,
}
_dispose = ORIGINAL["dispose"]


def _dispose_engines(self: SqliteEventLogStorage) -> None:
    with self._db_lock:
        for engine in self.__dict__.pop(_ENGINES, {}).values():
            engine.dispose()
        self.__dict__.pop(_TABLES, None)
        self.__dict__.pop(_INDEXES, None)
    _dispose(self)


def keep_engines() -> None:
    """Make ``SqliteEventLogStorage`` keep an engine per shard (idempotent)."""
    if SqliteEventLogStorage._connect is not _connect:
        SqliteEventLogStorage._connect = _connect
        SqliteEventLogStorage.dispose = _dispose_engines
        SqliteEventLogStorage.has_table = _has_table
        SqliteEventLogStorage.has_secondary_index = _has_secondary_index
