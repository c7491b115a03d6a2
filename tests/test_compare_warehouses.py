"""tools/compare_warehouses.py, the restructuring check: equal tables pass, a changed,
missing or extra row fails, and so does another column order."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.summary import CONTRACT_TABLES
from tools.compare_warehouses import compare


def warehouse(path: Path, rows: list[tuple], columns: str = "id integer, v varchar") -> str:
    with duckdb.connect(str(path)) as con:
        for table in CONTRACT_TABLES:
            con.execute(f"create table {table} ({columns}, loaded_at timestamp)")
        con.executemany(
            "insert into fact_product_events values (?, ?, now())",
            [r if columns.startswith("id") else r[::-1] for r in rows],
        )
    return str(path)


def test_equal_tables_pass_and_any_difference_fails(tmp_path: Path) -> None:
    rows = [(1, "a"), (2, "b"), (2, "b")]
    base = warehouse(tmp_path / "base.duckdb", rows)
    assert compare(base, warehouse(tmp_path / "same.duckdb", rows))  # loaded_at differs
    assert not compare(base, warehouse(tmp_path / "changed.duckdb", [(1, "a"), (2, "c"), (2, "b")]))
    assert not compare(base, warehouse(tmp_path / "fewer.duckdb", [(1, "a"), (2, "b")]))
    assert not compare(base, warehouse(tmp_path / "more.duckdb", [*rows, (3, "c")]))
    reordered = warehouse(tmp_path / "reordered.duckdb", rows, columns="v varchar, id integer")
    assert not compare(base, reordered)
