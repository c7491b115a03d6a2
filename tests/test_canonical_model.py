"""The canonical model on raw_samples: what raw_samples/README.md predicts, line by line."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from tests.conftest import (
    DBT_PROJECT,
    SAMPLES,
    SHARED_KEY,
    build_file,
    dbt_here,
    land_here,
    query,
    snapshot,
)
from tools.generate import Spec, generate

pytestmark = pytest.mark.pipeline  # every test here starts a pipeline process

README = (SAMPLES / "README.md").read_text()


def test_every_bad_line_gets_the_reason_the_readme_predicts(built: Path) -> None:
    predicted = {
        (f"{source}/{file}", int(line)): reason
        for source, file, line, reason in re.findall(
            r"^\| `(\w+)/([^`:]+):(\d+)` \| .* \| `(\w+)` \|$", README, re.M
        )
    }
    assert len(predicted) == 21
    rejected = {
        (raw_file, line_no): reason
        for raw_file, line_no, reason in query(
            built, "select raw_file, raw_line_no, reason_code from quarantine_events"
        )
    }
    assert rejected == predicted


def test_outcome_counts_per_file_match_the_readme(built: Path) -> None:
    predicted = {
        file: (int(lines), int(accepted), int(duplicate), int(rejected))
        for file, lines, accepted, duplicate, rejected in re.findall(
            r"^\| `(\w+/[^`]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", README, re.M
        )
    }
    actual = {
        file: (lines, accepted, duplicate, rejected)
        for file, lines, accepted, duplicate, rejected in query(
            built,
            """
            select raw_file, count(*),
                   count(*) filter (where outcome = 'accepted'),
                   count(*) filter (where outcome = 'duplicate'),
                   count(*) filter (where outcome = 'rejected')
            from audit_raw_lines group by raw_file
            """,
        )
    }
    assert actual == predicted


def test_duplicates_point_at_the_lines_the_readme_names(built: Path) -> None:
    assert query(
        built,
        "select raw_file, raw_line_no from audit_raw_lines where outcome = 'duplicate' order by 1",
    ) == [("esputnik/2026-03-02.jsonl", 5), ("usercom/2026-03-02.jsonl.gz", 1)]


def test_user_com_spellings_all_resolve(built: Path) -> None:
    # SKU-300: the 16 names; SKU-301: the 16 IDs. Each type exactly once per product.
    rows = query(
        built,
        """
        select product_id, list(event_type_id order by event_type_id)
        from fact_product_events where product_id in ('SKU-300', 'SKU-301') group by 1 order by 1
        """,
    )
    assert rows == [("SKU-300", list(range(1, 17))), ("SKU-301", list(range(1, 17)))]


def test_cart_snapshots_become_the_hand_computed_changes(built: Path) -> None:
    rows = query(
        built,
        """
        select product_id, event_type, quantity from fact_product_events
        where cart_id = 'cart-e1' order by occurred_at, product_id
        """,
    )
    assert rows == [
        ("SKU-100", "add to cart", 1.0),
        ("SKU-100", "add to cart", 1.0),
        ("SKU-500", "add to cart", 1.0),
        ("SKU-100", "remove", 1.0),
        ("SKU-100", "remove", 1.0),
        ("SKU-500", "remove", 1.0),
    ]
    # g-9f's cart across registration: [123x1] -> [123x3, 1x1] -> (registers) [123x2] -> []
    rows = query(
        built,
        """
        select product_id, event_type, quantity, contact_id from fact_product_events
        where source_system = 'insend' and is_from_cart_snapshot
          and contact_id = 'insend:visitor:v-17'
        order by occurred_at, product_id
        """,
    )
    v17 = "insend:visitor:v-17"
    assert rows == [
        ("123", "add to cart", 1.0, v17),
        ("1", "add to cart", 1.0, v17),
        ("123", "add to cart", 2.0, v17),
        ("1", "remove", 1.0, v17),
        ("123", "remove", 1.0, v17),
        ("123", "remove", 2.0, v17),
    ]


def test_guest_events_belong_to_the_visitor(built: Path) -> None:
    assert query(
        built, "select count(*) from fact_product_events where contact_id like 'insend:guest:g-9f'"
    ) == [(0,)]
    # view_product (guest), 4 cart changes as guest + 2 as visitor, 1 purchase line
    assert query(
        built,
        "select count(*) from fact_product_events where contact_id = 'insend:visitor:v-17'",
    ) == [(8,)]
    assert query(
        built,
        "select contact_keys, has_stitched_guest from dim_contacts "
        "where contact_id = 'insend:visitor:v-17'",
    ) == [(["insend:guest:g-9f", "insend:visitor:v-17"], True)]


def test_purchases_explode_into_lines(built: Path) -> None:
    assert query(
        built,
        """
        select product_id, quantity, unit_price from fact_product_events
        where order_id = '12346' order by product_id
        """,
    ) == [("1", 1.0, 125.15), ("2", 15.0, 127.02)]


def test_latest_value_by_event_time_and_nulls_for_never_sent(built: Path) -> None:
    # "Old Runner" (sent 03-01 09:00, received 03-02) is older than every other name.
    assert query(
        built,
        "select name, category, attributes->>'color' from dim_products "
        "where product_id = 'SKU-100'",
    ) == [("Trail Runner", "shoes", "red")]
    assert query(
        built,
        "select name, category from dim_products_history where product_id = 'SKU-100' "
        "order by valid_from limit 1",
    ) == [("Old Runner", "outlet")]
    assert query(built, "select name, price from dim_products where product_id = 'SKU-400'") == [
        (None, None)
    ]
    assert query(built, "select attributes from dim_products where product_id = 'the_id'") == [
        ('{"my_attribute":"value","my_attribute_2":"value_2"}',)
    ]


def test_no_clear_text_email_or_phone_past_staging(built: Path) -> None:
    for table, columns in [
        ("dim_contacts", "contact_id, email_pseudonym, phone_pseudonym, contact_keys::varchar"),
        ("fact_site_events", "contact_id, properties::varchar"),
        ("fact_product_events", "contact_id"),
    ]:
        text = " ".join(
            str(v) for row in query(built, f"select {columns} from {table}") for v in row
        )
        for clear in ("example@email.com", "Olga.K@Example.com", "olga.k@example.com",
                      "test@example.net", "380501234567", "555555"):  # fmt: skip
            assert clear not in text, (table, clear)


def test_the_required_columns_of_the_published_tables_refuse_a_null(
    built: Path, tmp_path: Path
) -> None:
    """The not_null constraints of the contracts (models/marts/_marts__models.yml) are
    the table's own: DuckDB refuses a null on insert, whoever writes it."""
    manifest = json.loads((DBT_PROJECT / "target" / "manifest.json").read_text())
    declared = {
        (node["name"], column["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["contract"]["enforced"]
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column["constraints"])
    }
    assert len(declared) == 25
    refused = query(
        built,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'main' and is_nullable = 'NO'",
    )
    assert set(refused) == declared
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built, copy)
    refusal = pytest.raises(duckdb.ConstraintException, match="fact_site_events.contact_id")
    with duckdb.connect(str(copy)) as con, refusal:
        con.execute(
            "insert into fact_site_events by name select event_id || '-x' as event_id, "
            "null as contact_id, true as is_client_time_trusted from fact_site_events limit 1"
        )


def test_conservation_check_fails_when_a_line_goes_missing(built: Path, tmp_path: Path) -> None:
    published = tmp_path / "broken.duckdb"
    broken = build_file(published)  # the file dbt reads and writes
    broken.parent.mkdir()
    shutil.copy(built, broken)
    conservation = ("test", "-s", "assert_every_landed_line_has_one_audit_row")
    ok = dbt_here(published, *conservation)
    assert ok.success, ok.failed()
    with duckdb.connect(str(broken)) as con:
        # one line audited twice in one file, another file's lines not audited at all
        con.execute(
            "insert into audit_raw_lines select * from audit_raw_lines "
            "where raw_file = 'usercom/2026-03-01.jsonl' and raw_line_no = 3"
        )
        con.execute("delete from audit_raw_lines where raw_file = 'insend/2026-03-02.jsonl'")
    failed = dbt_here(published, *conservation)
    assert not failed.success
    assert "Got 2 results" in " ".join(failed.failed()), failed.failed()
    # a line audited under another's number: as many rows, the same span, one line twice
    shutil.copy(built, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "update audit_raw_lines set raw_line_no = 3 "
            "where raw_file = 'usercom/2026-03-01.jsonl' and raw_line_no = 2"
        )
    failed = dbt_here(published, *conservation)
    assert not failed.success
    assert "Got 1 result," in " ".join(failed.failed()), failed.failed()


# A third sample day: guest g-30 (whose events landed earlier) registers as v-30 and buys.
DAY_3 = (
    '{"received_at":"2026-03-03T09:00:00Z","app_key":"a1b2","visitor_uid":"v-30",'
    '"guest_uid":"g-30","data":"{\\"type\\":\\"update_info\\",\\"properties\\":{}}"}\n'
    '{"received_at":"2026-03-03T09:01:00Z","app_key":"a1b2","visitor_uid":"v-30",'
    '"data":"{\\"type\\":\\"update_cart\\",\\"properties\\":{\\"items\\":'
    '[{\\"product_id\\":\\"SKU-100\\",\\"qnt\\":3,\\"price\\":339.0}]}}"}\n'
    # late: SKU-100 was in category "trail" from 11:30 on day 1 (v-21 sends "shoes" at 13:00)
    '{"received_at":"2026-03-01T11:30:00Z","app_key":"a1b2","visitor_uid":"v-77",'
    '"data":"{\\"type\\":\\"view_product\\",\\"properties\\":'
    '{\\"product_id\\":\\"SKU-100\\",\\"category_id\\":\\"trail\\"}}"}\n'
)


def independent_count(files: list[Path]) -> tuple[int, int, int]:
    """(lines, broken, repeats) of generated files, counted without the pipeline: a line
    that is not JSON is broken, a line seen before (in any file) a repeat."""
    lines = [line for path in files for line in path.read_text().splitlines()]
    seen: Counter[str] = Counter()
    broken = repeats = 0
    for line in lines:
        seen[line] += 1
        if seen[line] > 1:
            repeats += 1
            continue
        try:
            json.loads(line)
        except json.JSONDecodeError:
            broken += 1
    return len(lines), broken, repeats


def test_incremental_runs_equal_a_full_rebuild(tmp_path: Path) -> None:
    """Three incremental runs give, table by table, what one build over all the files
    gives: the samples day by day (late and repeated lines, a guest seen earlier who
    registers) and messy generated days beside them (late events that land in another
    day's file, repeated deliveries, broken lines, guests who register). And every
    generated line is accepted, duplicate or rejected as an independent count predicts."""
    everything = tmp_path / "all"
    shutil.copytree(SAMPLES, everything, ignore=shutil.ignore_patterns("*.py", "*.md"))
    (everything / "insend" / "2026-03-03.jsonl").write_text(DAY_3)
    # short sessions: enough contact-days that guests have events on both sides of the
    # day they register
    spec = Spec(
        events=6_000, days=4, seed=5, bad_rate=0.01, repeat_rate=0.02, late_rate=0.05,
        session_events=3,
    )  # fmt: skip
    generate(spec, tmp_path / "generated", progress=False)
    generated = sorted((tmp_path / "generated").rglob("*.jsonl"))
    for path in generated:
        shutil.copy(path, everything / path.relative_to(tmp_path / "generated"))
    generated_days = sorted({p.stem for p in generated})
    assert len(generated_days) >= 5  # late lines and repeats spill into a day after the last

    def day(path: Path) -> str:
        return path.name.split(".")[0]

    # landed as a run lands, built by dbt in this process as a run builds (a run's
    # steps around dbt, its checks and publishing, are tested in test_run_command.py)
    # one view makes a category interest here, so the samples' contacts have some (the
    # rule's threshold is unit-tested): the late category change below moves one
    build = ("build", "--exclude-resource-type", "unit_test")
    build += ("--vars", "{category_interest_min_views: 1}")
    ubart_interests = (
        "select segment_id, event_count from mart_contact_segments "
        "where contact_id = 'usercom:user_id:u-bart' and segment_kind = 'category_interest' "
        "order by segment_id"
    )
    interests = []
    raw = tmp_path / "raw"
    incremental = tmp_path / "inc" / "warehouse.duckdb"
    batches = [
        {"2026-03-01", *generated_days[:2]},
        {"2026-03-02", *generated_days[2:3]},  # the samples' late and repeated lines
        {"2026-03-03", *generated_days[3:]},
    ]
    for batch in batches:
        for path in everything.rglob("*.jsonl*"):
            if day(path) in batch:
                target = raw / path.relative_to(everything)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        land_here(incremental, raw)
        result = dbt_here(incremental, *build, **SHARED_KEY)
        assert result.success, result.failed()
        interests.append(query(build_file(incremental), ubart_interests))

    full = tmp_path / "full" / "warehouse.duckdb"
    land_here(full, everything)
    assert dbt_here(full, *build, **SHARED_KEY).success
    incremental, full = build_file(incremental), build_file(full)
    incremental_tables, full_tables = snapshot(incremental), snapshot(full)
    for table, rows in full_tables.items():
        assert rows, table
        assert incremental_tables[table] == rows, table

    # the late InSend line re-dated SKU-100's category for another source's contact:
    # u-bart's view at 12:00, built in an earlier run, now knows it as "trail"
    assert query(
        incremental,
        "select strftime(occurred_at, '%H:%M'), event_type, product_category "
        "from fact_product_events where contact_id = 'usercom:user_id:u-bart' "
        "and product_id = 'SKU-100' and occurred_at < '2026-03-02' order by occurred_at",
    ) == [("11:00", "view", "shoes"), ("11:10", "add to cart", "shoes"), ("12:00", "view", "trail")]
    # ... and so moved u-bart into category_interest:trail in the run that landed the
    # late line (one of its two shoes views is now a trail view)
    before, after = [("category_interest:shoes", 2)], [
        ("category_interest:shoes", 1), ("category_interest:trail", 1),
    ]  # fmt: skip
    assert interests == [before, before, after]
    # the stitching really moved g-30's earlier rows: +1 then +2 in one cart
    assert query(
        full,
        "select contact_id, event_type, quantity from fact_product_events "
        "where cart_id = 'insend:visitor:v-30:cart:a1b2' order by occurred_at",
    ) == [
        ("insend:visitor:v-30", "add to cart", 1.0),
        ("insend:visitor:v-30", "add to cart", 2.0),
    ]
    # the generated batches really exercised stitching and late events
    assert query(
        full,
        "select count(*) > 0 from dim_contacts "
        "where has_stitched_guest and regexp_matches(contact_id, ':v[0-9]+$')",
    ) == [(True,)]
    assert query(
        full,
        "select count(*) > 0 from fact_product_events "
        "where received_at >= occurred_at + interval 2 day and occurred_at < '2026-02-01'",
    ) == [(True,)]
    # every generated line accounted for, as counted apart
    lines, broken, repeats = independent_count(generated)
    assert broken > 30 and repeats > 30  # the rates produced them
    outcomes = dict(
        query(
            full,
            "select outcome, count(*) from audit_raw_lines "
            "where split_part(raw_file, '/', 2) < '2026-02' group by 1",
        )
    )
    assert outcomes == {
        "accepted": lines - repeats - broken,
        "duplicate": repeats,
        "rejected": broken,
    }
