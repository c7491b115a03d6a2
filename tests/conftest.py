"""Shared fixtures: a private copy of the samples and a private warehouse per test.

Two tiers. A test that starts a pipeline process (`make run`'s command, dbt, `dagster
dev`) or uses one's warehouse is marked `pipeline`: `make test` runs every test, `make
test-fast` (`-m "not pipeline"`) the rest. A test using a fixture of PIPELINE_FIXTURES
is marked so here; any other must carry the mark itself, or `run_cli` and `dbt_here` refuse
to start (so an unmarked slow test cannot hide in the fast tier).
"""

from __future__ import annotations

import fcntl
import gzip
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "raw_samples"
DBT_PROJECT = REPO_ROOT / "dbt_project"

# fixtures that build a warehouse through a pipeline process (a test using one is marked)
PIPELINE_FIXTURES = {"built", "warehouse_copy", "corpus_run", "generated", "dagster_dev"}
# In the environment, not a global: pytest loads this file as `conftest`, the tests import
# it as `tests.conftest`, two modules with globals of their own.
PIPELINE_ALLOWED = "TESTS_PIPELINE_ALLOWED"


# The longest modules first, as measured (`pytest --durations`, setup included):
# pytest-xdist (--dist loadscope --no-loadscope-reorder, as `make test` runs it) hands
# each worker the next module in collection order, so a long one never starts last and
# keeps a worker busy alone while the other has nothing left.
LONGEST_FIRST = (
    "test_fresh_clone", "test_operator_faults", "test_dagster_dev", "test_run_command",
    "test_quality", "test_canonical_model", "test_malformed_corpus", "test_checked_through",
    "test_definitions", "test_dbt_resource", "test_dbt_unit_tests", "test_notebooks",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.pipeline)

    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: a module's tests keep their order


def pytest_runtest_setup(item: pytest.Item) -> None:
    # before any fixture of the test (a session fixture such as `built` included) is set up
    os.environ[PIPELINE_ALLOWED] = "1" if item.get_closest_marker("pipeline") else ""


def _require_pipeline_mark(what: str) -> None:
    if not os.environ.get(PIPELINE_ALLOWED):
        raise RuntimeError(
            f"{what} starts a pipeline process: mark the test `@pytest.mark.pipeline` "
            "(make test-fast leaves such tests out)"
        )


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
    """The file runs and dbt write beside a published warehouse
    (orchestration/defs/warehouse/files.py)."""
    from orchestration.settings import build_path

    return build_path(warehouse)


# Warehouses compared row by row must share the key of their pseudonyms: each folder
# would otherwise get a key file of its own (orchestration/defs/warehouse/pii.py), and so other ids.
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
    _require_pipeline_mark("run_cli")
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *(args or ("run",))],
        cwd=REPO_ROOT,
        env=cli_env(raw_dir, warehouse, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """raw_samples built into a private warehouse by `make run`'s command, once for the
    whole session: the pytest-xdist workers share it (the first to ask builds it, under
    a file lock), and only read it or copy it."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the session's folder, above each worker's own
    tmp = shared / "samples"
    warehouse = tmp / "wh" / "warehouse.duckdb"
    with (shared / "samples.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (tmp / "built").exists():
            shutil.rmtree(tmp, ignore_errors=True)
            raw = tmp / "raw"
            shutil.copytree(SAMPLES, raw, ignore=shutil.ignore_patterns("*.py", "*.md"))
            result = run_cli(raw, warehouse)
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
            (warehouse.parent / "run_stdout.txt").write_text(result.stdout)
            (tmp / "built").touch()
    return warehouse


def _dbt_target_path() -> Path:
    """A target folder of this test process's own (one per pytest-xdist worker): dbt
    rewrites manifest.json in place, which a pipeline starting beside it reads from the
    project's target/. It starts from the project's partial-parse file."""
    target = DBT_PROJECT / "target" / f"pytest-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    if not (target / "partial_parse.msgpack").exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(DBT_PROJECT / "target" / "partial_parse.msgpack", target)
    return target


@dataclass
class DbtRun:
    """What a dbt command run in the test process did."""

    success: bool
    results: list  # dbt's node results (RunResult: .node, .status, .message)

    def failed(self) -> list[str]:
        """'<node name>: <message>' of each node that failed or erred."""
        return [
            f"{r.node.name}: {r.message}"
            for r in self.results
            if str(r.status) in ("fail", "error")
        ]


_parsed: dict[str, object] = {}  # the parsed project per warehouse file name


def dbt_here(warehouse: Path, *args: str, **env: str) -> DbtRun:
    """`dbt <args>` run in the test process as a run invokes it (dbt's programmatic
    entry point, the project parsed once, as orchestration/defs/dbt/resource.py does),
    with WAREHOUSE_PATH=warehouse and `env` set meanwhile. dbt's database is closed
    afterwards, so the test may open the file."""
    _require_pipeline_mark("dbt_here")
    from dbt.cli.main import dbtRunner

    from orchestration.defs.dbt.resource import release_warehouse
    from orchestration.settings import environment, parse_environment

    common = [
        "--project-dir", str(DBT_PROJECT),
        "--profiles-dir", str(DBT_PROJECT),
        "--target-path", str(_dbt_target_path()),
        "--log-level", "none",
    ]  # fmt: skip
    if warehouse.name not in _parsed:
        with environment(parse_environment(warehouse)):
            parsed = dbtRunner().invoke(["parse", "--no-write-json", *common])
        assert parsed.success, parsed.exception
        _parsed[warehouse.name] = parsed.result
    try:
        with environment({"WAREHOUSE_PATH": str(warehouse), **env}):
            outcome = dbtRunner(manifest=_parsed[warehouse.name]).invoke([*args, *common])
    finally:
        release_warehouse()
    if outcome.exception is not None and not outcome.result:
        raise outcome.exception
    return DbtRun(outcome.success, list(getattr(outcome.result, "results", [])))


def land_here(warehouse: Path, raw: Path) -> None:
    """Land every new dump under `raw` into the build file dbt_here(warehouse) builds, as
    a run's landing assets do (orchestration/defs/landing/assets.py)."""
    from orchestration.defs.landing.dumps import land_source
    from orchestration.settings import SOURCES

    build = build_file(warehouse)
    build.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(build)) as con:
        for source in SOURCES:
            land_source(con, source, raw)


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
    "intermediate.int_usercom_carts_numbered": "source_system, raw_file, raw_line_no",
    "intermediate.int_product_lines_unnested": "source_system, raw_file, raw_line_no, item_index",
    "intermediate.int_cart_snapshots_diffed": "source_system, raw_file, raw_line_no, product_id",
    "intermediate.int_product_attributes_changed": "product_id, attribute_name, valid_from",
    "intermediate.int_products_seen": "product_id",
    "funnel_journeys": "journey_id",
    "carts_summarised": "contact_id, cart_id",
    "mart_funnel_daily": "funnel_date, source_system",
    "mart_product_funnel": "product_id",
    "mart_category_funnel": "category",
    "segments_defined": "segment_id, contact_id",
    "mart_contact_segments": "segment_id, contact_id",
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
