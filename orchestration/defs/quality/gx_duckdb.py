"""Great Expectations' SQL engine on DuckDB (through SQLAlchemy and ``duckdb_engine``).

With it the suites run as SQL inside DuckDB: no table is copied into pandas, so the
checks cost seconds and bounded memory at tens of millions of rows. Two gaps between
GX 1.x and duckdb_engine 0.17 are closed here, once per process (``install()``):

1. Empty metric results. duckdb_engine's cursor owns no result: every SQLAlchemy
   cursor executes on, and fetches from, one shared DuckDB connection. GX runs
   ``with engine.connect() as conn: result = conn.execute(query)`` and fetches after
   the connection went back to the pool, whose ROLLBACK drops that connection's
   pending result: GX then sees no rows ("list index out of range"). Fix: each
   SQLAlchemy cursor gets a DuckDB cursor of its own (``con.cursor()``), whose result
   survives the parent's ROLLBACK and still streams.
2. Regex and LIKE. GX picks the SQL for them by dialect and knows no DuckDB, so it
   refuses ("Regex is not supported for dialect duckdb"). DuckDB's ``~``/``!~`` match
   anywhere in the string, as Postgres' do, and ``LIKE ... ESCAPE`` is standard.

The patched cursor is for reading: its statements commit one by one, outside
SQLAlchemy's transaction. The project opens this engine read-only, and `release()`
closes every DuckDB connection and cursor it opened, so the file is free for the next
writer (a pooled SQLAlchemy engine would otherwise keep it open).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import duckdb_engine
import sqlalchemy as sa

log = logging.getLogger(__name__)

_installed = False
_opened: list[Any] = []  # DuckDB connections and cursors to close in release()


class _OwnCursor:
    """A DB-API cursor on a DuckDB cursor of its own (see the module docstring, 1)."""

    def __init__(self, con: Any, wrapper: Any) -> None:
        self._con = con
        self._cur = con.cursor()
        self.connection = wrapper
        _opened.append(self._cur)

    def execute(self, statement: str, parameters: Any = None, context: Any = None) -> None:
        if statement.lower() == "commit":
            self._con.commit()
        elif parameters is None:
            self._cur.execute(statement)
        else:
            self._cur.execute(statement, parameters)

    def executemany(self, statement: str, parameters: Any = None, context: Any = None) -> None:
        self._cur.executemany(statement, list(parameters) if parameters else [])

    @property
    def description(self) -> Any:
        return self._cur.description

    @property
    def rowcount(self) -> int:
        return -1

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchmany(self, size: int | None = None) -> list:
        return self._cur.fetchmany(1 if size is None else size)

    def fetchall(self) -> list:
        return self._cur.fetchall()

    def close(self) -> None:
        self._cur.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


def install() -> None:
    """Apply both fixes (idempotent). Import GX's metric modules first."""
    global _installed
    if _installed:
        return
    import great_expectations  # noqa: F401  (loads the metric modules that hold the helpers)
    import great_expectations.expectations.metrics.util as gx_util

    duckdb_engine.ConnectionWrapper.cursor = lambda self: _OwnCursor(
        self._ConnectionWrapper__c, self
    )
    connect = duckdb_engine.Dialect.connect

    def tracked_connect(self, *cargs: Any, **cparams: Any) -> Any:
        wrapper = connect(self, *cargs, **cparams)
        _opened.append(wrapper)
        return wrapper

    duckdb_engine.Dialect.connect = tracked_connect
    original_regex = gx_util.get_dialect_regex_expression
    original_like = gx_util.get_dialect_like_pattern_expression

    def regex_expression(column, regex, dialect, positive=True):
        if getattr(dialect, "name", None) == "duckdb":
            operator = sa.custom_op("~" if positive else "!~")
            return sa.BinaryExpression(column, sa.literal(regex), operator)
        return original_regex(column, regex, dialect, positive)

    def like_expression(column, dialect, like_pattern, positive=True, escape=None):
        if getattr(dialect, "name", None) == "duckdb":
            expression = column.like(like_pattern, escape=escape)
            return expression if positive else sa.not_(expression)
        return original_like(column, dialect, like_pattern, positive, escape)

    # GX modules import the helpers by name: replace every reference.
    for module in list(sys.modules.values()):
        if getattr(module, "get_dialect_regex_expression", None) is original_regex:
            module.get_dialect_regex_expression = regex_expression
        if getattr(module, "get_dialect_like_pattern_expression", None) is original_like:
            module.get_dialect_like_pattern_expression = like_expression
    _installed = True


def release() -> None:
    """Close every DuckDB cursor and connection the SQL engine opened."""
    while _opened:
        handle = _opened.pop()
        try:
            handle.close()
        except Exception:  # noqa: BLE001 - already closed, or its database is gone
            log.debug("closing %r failed", handle, exc_info=True)
