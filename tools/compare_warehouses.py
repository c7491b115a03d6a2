"""Whether two warehouses hold the same published tables: for each of the ten contract
tables, the rows of A not in B and of B not in A (EXCEPT ALL, so repeated rows count),
and the column order. The wall-clock columns (`loaded_at`, `seen_at`) are left out.

    python -m tools.compare_warehouses A.duckdb B.duckdb

Exit 0 when every table is equal, 1 otherwise. A refactoring's check: build the same
dumps (and the same PII_HASH_KEY) with both commits, then compare.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from orchestration.summary import CONTRACT_TABLES

WALL_CLOCK = ("loaded_at", "seen_at")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_catalog = ? and table_schema = 'main' and table_name = ?"
        " order by ordinal_position",
        [catalog, table],
    ).fetchall()
    return [name for (name,) in rows]


def compare(a: str, b: str) -> bool:
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    equal = True
    for table in CONTRACT_TABLES:
        columns_a, columns_b = _columns(con, "a", table), _columns(con, "b", table)
        same_order = columns_a == columns_b
        listed = ", ".join(c for c in columns_a if c not in WALL_CLOCK)
        only = [
            con.execute(
                f"select count(*) from (select {listed} from {x}.main.{table}"
                f" except all select {listed} from {y}.main.{table})"
            ).fetchall()[0][0]
            for x, y in (("a", "b"), ("b", "a"))
        ]
        rows = con.execute(f"select count(*) from a.main.{table}").fetchall()[0][0]
        equal &= same_order and only == [0, 0]
        order = "" if same_order else f"  column order differs: {columns_a} / {columns_b}"
        print(f"{table:<24} rows {rows:>9}  a-b {only[0]}  b-a {only[1]}{order}")
    print("EQUAL" if equal else "DIFFERENT")
    return equal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    args = parser.parse_args(argv)
    return 0 if compare(args.a, args.b) else 1


if __name__ == "__main__":
    sys.exit(main())
