"""The canonical model on raw_samples: what raw_samples/README.md predicts, line by line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

from tests.conftest import SAMPLES, SHARED_KEY, TABLES, build_file, dbt, query, run_cli, snapshot

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


def test_conservation_check_fails_when_a_line_goes_missing(built: Path, tmp_path: Path) -> None:
    published = tmp_path / "broken.duckdb"
    broken = build_file(published)  # the file dbt reads and writes
    broken.parent.mkdir()
    shutil.copy(built, broken)
    ok = dbt(published, "test", "-s", "assert_every_landed_line_has_one_audit_row")
    assert ok.returncode == 0, ok.stdout[-2000:]
    with duckdb.connect(str(broken)) as con:
        # one line audited twice in one file, another file's lines not audited at all
        con.execute(
            "insert into audit_raw_lines select * from audit_raw_lines "
            "where raw_file = 'usercom/2026-03-01.jsonl' and raw_line_no = 3"
        )
        con.execute("delete from audit_raw_lines where raw_file = 'insend/2026-03-02.jsonl'")
    failed = dbt(published, "test", "-s", "assert_every_landed_line_has_one_audit_row")
    assert failed.returncode != 0
    assert "Got 2 results" in failed.stdout
    # a line audited under another's number: as many rows, the same span, one line twice
    shutil.copy(built, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "update audit_raw_lines set raw_line_no = 3 "
            "where raw_file = 'usercom/2026-03-01.jsonl' and raw_line_no = 2"
        )
    failed = dbt(published, "test", "-s", "assert_every_landed_line_has_one_audit_row")
    assert failed.returncode != 0
    assert "Got 1 result" in failed.stdout


def test_incremental_runs_equal_a_full_rebuild(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw, ignore=shutil.ignore_patterns("*.py", "*.md", "2026-03-02*"))
    # A third day: guest g-30 (whose events landed earlier) registers as v-30 and buys.
    day3 = raw / "insend" / "2026-03-03.jsonl"
    day3.write_text(
        '{"received_at":"2026-03-03T09:00:00Z","app_key":"a1b2","visitor_uid":"v-30",'
        '"guest_uid":"g-30","data":"{\\"type\\":\\"update_info\\",\\"properties\\":{}}"}\n'
        '{"received_at":"2026-03-03T09:01:00Z","app_key":"a1b2","visitor_uid":"v-30",'
        '"data":"{\\"type\\":\\"update_cart\\",\\"properties\\":{\\"items\\":'
        '[{\\"product_id\\":\\"SKU-100\\",\\"qnt\\":3,\\"price\\":339.0}]}}"}\n'
    )
    day3_text = day3.read_text()
    day3.unlink()
    incremental = tmp_path / "inc" / "warehouse.duckdb"
    assert run_cli(raw, incremental, **SHARED_KEY).returncode == 0  # day 1 only
    for source in ("usercom", "esputnik", "insend"):
        for day2 in (SAMPLES / source).glob("2026-03-02*"):
            shutil.copy(day2, raw / source / day2.name)
    # + day 2 (late and repeated lines)
    assert run_cli(raw, incremental, **SHARED_KEY).returncode == 0
    day3.write_text(day3_text)
    result = run_cli(raw, incremental, **SHARED_KEY)  # + day 3 (a guest seen earlier registers)
    assert result.returncode == 0, result.stderr[-3000:]

    full = tmp_path / "full" / "warehouse.duckdb"
    assert run_cli(raw, full, **SHARED_KEY).returncode == 0

    incremental_tables, full_tables = snapshot(incremental), snapshot(full)
    for table in TABLES:
        assert incremental_tables[table] == full_tables[table], table
    # and the stitching really moved g-30's earlier rows: +1 then +2 in one cart
    assert query(
        full,
        "select contact_id, event_type, quantity from fact_product_events "
        "where cart_id = 'insend:visitor:v-30:cart:a1b2' order by occurred_at",
    ) == [
        ("insend:visitor:v-30", "add to cart", 1.0),
        ("insend:visitor:v-30", "add to cart", 2.0),
    ]
