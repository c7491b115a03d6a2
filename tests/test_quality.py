"""Great Expectations contract checks: they pass on the samples, each blocking
expectation can fail on its own, and a failing one stops the marts in a real run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.defs.warehouse.pii import KEY_FILE_NAME
from tests.conftest import SAMPLES, run_cli

SUITES_ON_SAMPLES = [
    "fact_product_events",
    "dim_products",
    "audit_raw_lines",
    "mart_contact_segments",
]


@pytest.fixture
def warehouse_copy(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "wh" / "warehouse.duckdb"
    target.parent.mkdir()
    shutil.copy(built, target)
    return target


@pytest.fixture(autouse=True)
def private_gx_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GX_ROOT", str(tmp_path / "gx"))


def validate(warehouse: Path, table: str):
    from orchestration.defs.quality.runner import validate
    from orchestration.defs.quality.suites import SUITES

    return validate(SUITES[table], warehouse)


@pytest.mark.parametrize("table", SUITES_ON_SAMPLES)
def test_blocking_suites_pass_on_the_samples(built: Path, table: str) -> None:
    outcome = validate(built, table)
    assert outcome.success, outcome.message
    assert outcome.row_count > 0


def test_warn_suites_report_exactly_the_readme_bad_lines(built: Path) -> None:
    readme = (SAMPLES / "README.md").read_text()
    predicted = re.findall(r"^\| `((\w+)/[^`]+)` \| .* \| `(\w+)` \|$", readme, re.M)
    for source in ("usercom", "esputnik", "insend"):
        outcome = validate(built, f"stg_{source}__events")
        by_column = {f.column: f for f in outcome.failures}
        for column, reason in [
            ("type_resolution", "unknown_event_type"),
            ("required_fields", "missing_required_field"),
        ]:
            lines = sorted(ref for ref, src, r in predicted if src == source and r == reason)
            if not lines:
                assert column not in by_column
                continue
            assert by_column[column].unexpected_count == len(lines)
            assert sorted(by_column[column].examples) == lines


TAMPERING = {
    # a row whose type ID is outside 1..16
    "event_type_id": "update fact_product_events set event_type_id = 17 where event_id = "
    "(select min(event_id) from fact_product_events)",
    "product_id": "update fact_product_events set product_id = null where event_id = "
    "(select min(event_id) from fact_product_events)",
    "unit_price": "update fact_product_events set unit_price = -1 where event_id = "
    "(select min(event_id) from fact_product_events)",
    "currency": "update fact_product_events set currency = 'eur' where event_id = "
    "(select min(event_id) from fact_product_events)",
}


# the tampered row (max(event_id)) says it was loaded after the last passing check
LOADED_AFTER_THE_MARK = (
    "update fact_product_events set loaded_at = loaded_at + interval 1 hour"
    " where event_id = (select max(event_id) from fact_product_events)"
)


@pytest.mark.parametrize("column", TAMPERING)
def test_each_blocking_expectation_fails_naming_column_and_count(
    warehouse_copy: Path, column: str
) -> None:
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(TAMPERING[column])
    outcome = validate(warehouse_copy, "fact_product_events")
    assert not outcome.success
    failing = {f.column for f in outcome.failures}
    assert column in failing or any(column in c for c in failing), outcome.message
    assert f"{column}: 1 rows fail" in outcome.message or f"{column}, " in outcome.message


def test_the_segments_suite_fails_on_an_undocumented_kind_and_an_unknown_contact(
    warehouse_copy: Path,
) -> None:
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(
            "update mart_contact_segments set segment_kind = 'vip' where segment_id = "
            "(select min(segment_id) from mart_contact_segments)"
        )
        # the segment_id of the row whose contact is nobody's, for its example
        (segment_id,) = con.execute(
            "update mart_contact_segments set contact_id = 'nobody' where (segment_id, "
            "contact_id) = (select max((segment_id, contact_id)) from mart_contact_segments) "
            "returning segment_id"
        ).fetchall()[0]
        kinds = con.execute(
            "select count(*) from mart_contact_segments where segment_kind = 'vip'"
        ).fetchall()[0][0]
    outcome = validate(warehouse_copy, "mart_contact_segments")
    assert not outcome.success
    failures = {f.column: f for f in outcome.failures}
    assert failures.keys() == {"segment_kind", "contact_id in dim_contacts"}, outcome.message
    assert failures["segment_kind"].unexpected_count == kinds
    assert failures["contact_id in dim_contacts"].unexpected_count == 1
    assert failures["contact_id in dim_contacts"].examples == [f"{segment_id}:nobody"]


def test_a_failed_contract_check_stops_the_marts(built: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "run" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built, warehouse)
    shutil.copy(built.parent / KEY_FILE_NAME, warehouse.parent)  # the same pseudonyms
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw, ignore=shutil.ignore_patterns("*.py", "*.md"))
    # Bad rows that no dbt model would write (staging rejects such lines): the
    # incremental fact keeps them, as it would keep any rows written by another tool.
    # The run checks the rows loaded since the last passing check: the tampered row
    # says it was loaded after that.
    with duckdb.connect(str(warehouse)) as con:
        for sql in TAMPERING.values():
            con.execute(sql.replace("min(event_id)", "max(event_id)"))
        con.execute(LOADED_AFTER_THE_MARK)
    marts = ("mart_funnel_daily", "mart_product_funnel", "mart_abandoned_carts")

    def mart_rows() -> dict[str, list]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return {t: con.execute(f"select * from {t} order by all").fetchall() for t in marts}

    before = mart_rows()
    result = run_cli(raw, warehouse)
    assert result.returncode != 0
    assert "FAIL (error)" in result.stdout
    assert "gx_fact_product_events_contract" in result.stderr + result.stdout
    for column in ("event_type_id", "product_id", "unit_price", "currency"):
        assert re.search(rf"{column}[^;]*: 1 rows fail", result.stdout), column

    instance = DagsterInstance.from_config(str(warehouse.parent / "dagster_home"))
    assert instance.get_latest_materialization_event(AssetKey(["fact_product_events"]))
    for mart in marts:
        assert instance.get_latest_materialization_event(AssetKey([mart])) is None, mart
    # the marts of the earlier good build are still there, untouched
    assert mart_rows() == before
    assert all(before.values())


def test_audit_suite_fails_on_a_line_audited_twice(warehouse_copy: Path) -> None:
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(
            "insert into audit_raw_lines select * from audit_raw_lines"
            " where raw_line_no = 1 and source_system = 'usercom' limit 1"
        )
        key = con.execute(
            "select raw_file from audit_raw_lines where raw_line_no = 1"
            " and source_system = 'usercom' group by raw_file having count(*) > 1"
        ).fetchall()[0][0]
    outcome = validate(warehouse_copy, "audit_raw_lines")
    assert not outcome.success
    by_column = {f.column: f for f in outcome.failures}
    repeated = by_column["source_system, raw_file, raw_line_no"]
    assert (repeated.unexpected_count, repeated.examples) == (1, [f"usercom:{key}:1"])
    # and the row count is one above the landed lines
    assert by_column["(table)"].unexpected_count == 1


def test_a_run_checks_rows_loaded_since_the_last_pass_until_they_pass(
    warehouse_copy: Path,
) -> None:
    from orchestration.defs.quality.runner import validate as run_suite
    from orchestration.defs.quality.suites import SUITES

    suite = SUITES["fact_product_events"]
    with duckdb.connect(str(warehouse_copy)) as con:
        (latest,) = con.execute("select max(loaded_at) from fact_product_events").fetchall()[0]
    # the build's own run checked every row and left its mark at the latest
    first = run_suite(suite, warehouse_copy, incremental=True)
    assert first.success and first.row_count == 0 and first.since == latest
    with duckdb.connect(str(warehouse_copy)) as con:
        # an old row goes bad: the next run does not read it, the whole-table check does
        con.execute(TAMPERING["event_type_id"])
    quiet = run_suite(suite, warehouse_copy, incremental=True)
    assert quiet.success and quiet.row_count == 0 and quiet.since == latest
    assert not run_suite(suite, warehouse_copy).success

    # a bad row loaded after the mark: the run fails, and fails again next time
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(TAMPERING["currency"].replace("min(event_id)", "max(event_id)"))
        con.execute(LOADED_AFTER_THE_MARK)
    for _ in range(2):
        outcome = run_suite(suite, warehouse_copy, incremental=True)
        assert not outcome.success and outcome.since == latest
        assert outcome.row_count == 1
        assert "currency: 1 rows fail" in outcome.message


def test_suites_run_together_update_the_data_docs_once_with_each_validation(
    built: Path,
) -> None:
    from orchestration.defs.quality.runner import data_docs_index, validate_all
    from orchestration.defs.quality.suites import SUITES

    suites = list(SUITES.values())
    outcomes = validate_all(suites, built)
    assert [o.suite for o in outcomes] == [s.name for s in suites]
    index = data_docs_index().read_text()
    pages = data_docs_index().parent / "validations"
    for suite in suites:
        # one validation page per suite, linked from the index
        (page,) = (pages / suite.name).rglob("*.html")
        assert str(page.relative_to(data_docs_index().parent)) in index


def test_a_suite_that_cannot_run_fails_alone_and_the_others_still_report(
    built: Path,
) -> None:
    from orchestration.defs.quality.runner import validate_all
    from orchestration.defs.quality.suites import SUITES, Suite

    broken = Suite(name="broken", table="main.no_such_table", expectations=lambda con, s: [])
    outcomes = validate_all([broken, SUITES["dim_products"]], built)
    assert [o.success for o in outcomes] == [False, True]
    assert outcomes[0].error is not None and "no_such_table" in outcomes[0].error
    assert outcomes[0].message.startswith("no_such_table: the suite could not run: ")


def test_a_run_with_nothing_new_skips_gx_and_any_change_brings_it_back(
    built: Path, warehouse_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.defs.quality import runner as quality
    from orchestration.defs.quality.runner import validate_all
    from orchestration.defs.quality.suites import SUITES

    suites = list(SUITES.values())
    # The build's run checked every suite and left its mark. The samples' bad lines
    # failed the warn suites there, once: a warn suite's mark moves anyway.
    summary = (built.parent / "run_stdout.txt").read_text()
    for source in ("usercom", "esputnik", "insend"):
        assert re.search(rf"FAIL \(warn\) .*gx_stg_{source}__events_types", summary)

    def no_gx():
        raise AssertionError("GX was asked for a context")

    real_context = quality._context
    monkeypatch.setattr(quality, "_context", no_gx)
    quiet = validate_all(suites, warehouse_copy, incremental=True)
    # each check's state is its last validation's: the warn suites stay failed
    assert [(o.success, o.evaluated, o.error) for o in quiet] == [
        (not s.name.startswith("stg_"), 0, None) for s in suites
    ]
    assert all(o.unchanged is not None for o in quiet)
    assert "the last validation stands: fact_product_events: all" in quiet[0].message
    staged = next(o for o in quiet if o.suite.startswith("stg_usercom"))
    assert "the last validation stands: stg_usercom__events: " in staged.message
    assert {f.column for f in staged.failures} == {"type_resolution", "required_fields"}

    # A product repeated in dim_products, and a landed line without its audit row: no
    # audit row is new, yet both suites must run again, and fail.
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("insert into dim_products select * from dim_products limit 1")
        con.execute(
            "insert into raw.usercom_lines select * replace ("
            " raw_line_no + 1000000 as raw_line_no, loaded_at + interval 1 hour as loaded_at)"
            " from raw.usercom_lines order by loaded_at desc limit 1"
        )
    monkeypatch.setattr(quality, "_context", real_context)
    again = {o.suite: o for o in validate_all(suites, warehouse_copy, incremental=True)}
    dim, audit = again["dim_products_contract"], again["audit_raw_lines_conservation"]
    assert (dim.success, dim.unchanged, [f.column for f in dim.failures]) == (
        False,
        None,
        ["product_id"],
    )
    assert (audit.success, audit.unchanged, audit.row_count) == (False, None, 0)
    assert [(f.column, f.unexpected_count) for f in audit.failures] == [("(table)", 1)]
    # the others read nothing new
    assert sum(o.unchanged is not None for o in again.values()) == len(suites) - 2


def test_the_gx_worker_process_gives_the_outcomes_the_suites_give_in_process(
    built: Path,
) -> None:
    """The run's checks validate in a process of their own (worker.py): the same
    outcomes, failures and examples included (the samples fail the warn suites)."""
    from orchestration.defs.quality import worker
    from orchestration.defs.quality.runner import validate_all
    from orchestration.defs.quality.suites import SUITES

    suites = list(SUITES.values())
    here = validate_all(suites, built)
    there = worker.validate_all(suites, built, incremental=False)
    assert [o.docs_resources for o in here] != [()] * len(suites)
    for o in here:
        o.docs_resources = ()  # GX's page identifiers stay in the process that rendered them
    assert there == here
    assert sum(not o.success for o in there) >= 3 and all(o.error is None for o in there)
    assert worker.validate_all(suites[:1], built, incremental=False) == here[:1]  # it stays


def test_the_gx_worker_renders_the_data_docs_after_answering_and_ends_them_before_exit(
    built: Path,
) -> None:
    """The worker answers once the suites have run, renders the Data Docs while the run
    goes on, and the run's process, as it exits, waits for them (`_finish`)."""
    from orchestration.defs.quality import worker
    from orchestration.defs.quality.runner import data_docs_index
    from orchestration.defs.quality.suites import SUITES

    suites = [s for s in SUITES.values() if s.on_marts]
    process = worker.start()
    outcomes = worker.validate_all(suites, built, incremental=False)
    assert all(o.error is None for o in outcomes)
    worker._finish(process)
    assert process.returncode == 0  # it ended by itself, not killed
    index = data_docs_index().read_text()
    for suite in suites:
        (page,) = (data_docs_index().parent / "validations" / suite.name).rglob("*.html")
        assert str(page.relative_to(data_docs_index().parent)) in index


def test_a_gx_worker_that_dies_fails_each_suite_and_says_so(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.defs.quality import worker
    from orchestration.defs.quality.suites import SUITES

    suites = list(SUITES.values())[:2]
    process = worker.start()
    process.kill()
    process.wait()
    # the next call starts a new one
    assert worker.start() is not process
    # a worker that dies while validating (handed the request after its death: killing
    # one just before the call raced start(), which replaces a worker seen dead)
    dying = worker.start()
    dying.kill()
    with monkeypatch.context() as patched:
        patched.setattr(worker, "start", lambda: dying)
        outcomes = worker.validate_all(suites, built, incremental=False)
    assert [(o.success, o.error) for o in outcomes] == [
        (False, "the GX worker process exited with code -9")
    ] * 2
    assert worker.validate_all(suites, built, incremental=False)[0].error is None
