"""Shared fixtures: a private copy of the samples and a private warehouse per test."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "raw_samples"


def count_lines(path: Path) -> int:
    """What `wc -l` says (of the decompressed content for .gz): newline characters."""
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return data.count(b"\n")


def sample_line_counts(raw_dir: Path = SAMPLES) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir()):
        counts[source_dir.name] = sum(
            count_lines(f)
            for f in source_dir.rglob("*")
            if f.name.endswith((".jsonl", ".jsonl.gz"))
        )
    return counts


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A copy of raw_samples/ the test may add files to."""
    target = tmp_path / "raw"
    shutil.copytree(SAMPLES, target, ignore=shutil.ignore_patterns("*.py", "*.md"))
    return target


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


def build_file(warehouse: Path) -> Path:
    """The file runs and dbt write beside a published warehouse (orchestration/warehouse.py)."""
    from orchestration.settings import build_path

    return build_path(warehouse)


# Warehouses compared row by row must share the key of their pseudonyms: each folder
# would otherwise get a key file of its own (orchestration/pii.py), and so other ids.
SHARED_KEY = {"PII_HASH_KEY": "one key for the warehouses a test compares"}


def cli_env(raw_dir: Path, warehouse: Path, **extra: str) -> dict[str, str]:
    """The environment of `python -m orchestration.cli` on private paths."""
    (warehouse.parent / "dagster_home").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", warehouse.parent / "dagster_home")
    return {
        **os.environ,
        "RAW_DATA_DIR": str(raw_dir),
        "WAREHOUSE_PATH": str(warehouse),
        "DAGSTER_HOME": str(warehouse.parent / "dagster_home"),
        "GX_ROOT": str(warehouse.parent / "gx"),
        **extra,
    }


def run_cli(
    raw_dir: Path, warehouse: Path, *args: str, timeout_s: float = 900, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m orchestration.cli ...` as `make run` calls it, on private paths."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *(args or ("run",))],
        cwd=REPO_ROOT,
        env=cli_env(raw_dir, warehouse, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """raw_samples built once into a private warehouse by `make run`'s command."""
    tmp = tmp_path_factory.mktemp("samples")
    raw = tmp / "raw"
    shutil.copytree(SAMPLES, raw, ignore=shutil.ignore_patterns("*.py", "*.md"))
    warehouse = tmp / "wh" / "warehouse.duckdb"
    result = run_cli(raw, warehouse)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    (warehouse.parent / "run_stdout.txt").write_text(result.stdout)
    return warehouse


def dbt(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` in dbt_project/ with WAREHOUSE_PATH=warehouse: dbt writes its build
    file, `build_file(warehouse)`."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", "."],
        cwd=REPO_ROOT / "dbt_project",
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def count_elsewhere(warehouse: Path, table: str) -> int:
    """The rows of `table` a new reader in another process sees (one process reuses the
    database it already has open, whatever was published since)."""
    code = (
        "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True)"
        ".execute(f'select count(*) from {sys.argv[2]}').fetchall()[0][0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(warehouse), table], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def plant_bad_audit_row(warehouse: Path) -> None:
    """An audit row with an outcome outside the contract, loaded just after the latest
    line (newer than the tests' checked-through mark, as a broken build would leave it):
    `accepted_values` on the outcome and the one-row-per-line test both fail on it.
    `warehouse`: the file the next build writes (a build file, or a published copy with
    no build file beside it, which the next run starts from)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into audit_raw_lines select source_system, 'bogus/file.jsonl', 1, 'lost',"
            " null, line_hash, loaded_at + interval 1 microsecond from audit_raw_lines"
            " where loaded_at = (select max(loaded_at) from audit_raw_lines) limit 1"
        )


TABLES = {
    "fact_product_events": "event_id",
    "fact_site_events": "event_id",
    "dim_products": "product_id",
    "dim_products_history": "product_period_id",
    "dim_contacts": "contact_id, source_system",
    "audit_raw_lines": "source_system, raw_file, raw_line_no",
    "quarantine_events": "source_system, raw_file, raw_line_no",
    "intermediate.int_events_identified": "source_system, raw_file, raw_line_no",
    "intermediate.int_product_lines_unnested": "source_system, raw_file, raw_line_no, item_index",
    "intermediate.int_cart_snapshots_diffed": "source_system, raw_file, raw_line_no, product_id",
    "intermediate.int_funnel_journeys": "journey_id",
    "intermediate.int_product_attributes_changed": "product_id, attribute_name, valid_from",
    "intermediate.int_products_seen": "product_id",
    "intermediate.int_carts_summarised": "contact_id, cart_id",
    "mart_funnel_daily": "funnel_date, source_system",
    "mart_product_funnel": "product_id",
    "mart_abandoned_carts": "contact_id, cart_id",
}


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every contract table (and the incremental intermediate ones), sorted, without the
    wall-clock loaded_at."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, key in TABLES.items():
            schema, _, name = table.rpartition(".")
            has_loaded_at = con.execute(
                "select count(*) from information_schema.columns "
                "where table_schema = ? and table_name = ? and column_name = 'loaded_at'",
                [schema or "main", name],
            ).fetchall()[0][0]
            columns = "* exclude (loaded_at)" if has_loaded_at else "*"
            out[table] = con.execute(f"select {columns} from {table} order by {key}").fetchall()
    return out
