"""Issue 19: bad input never poisons the warehouse.

One pipeline run (`make run`'s command) on the malformed corpus of
tests/malformed_corpus.py, plus a symbolic link to a file outside the landing folder;
the tests read the published warehouse afterwards. Every expected outcome comes from
the corpus (written by hand from the rules), never from the models.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.summary import CONTRACT_TABLES
from tests.conftest import run_cli
from tests.malformed_corpus import EMAILS, PHONES, Expected, write_corpus

FUNNEL_MARTS = ("mart_funnel_daily", "mart_product_funnel", "mart_abandoned_carts")
NOT_PUBLISHED_SCHEMAS = ("raw", "meta")
# Staging views parse the landed lines on read (each carries its raw_line): clear text
# is hashed there, so it is as raw as the landing tables.
CLEAR_TEXT_ALLOWED_SCHEMAS = (*NOT_PUBLISHED_SCHEMAS, "staging")
CLEAR_TEXT_ALLOWED_TABLES = ("quarantine_events",)  # keeps rejected lines whole by design
MARKER = "OUTSIDE-THE-LANDING-FOLDER-7c41e9"
LINK_NAME = "usercom/zz-linked-outside.jsonl"


@dataclass(frozen=True)
class CorpusRun:
    result: subprocess.CompletedProcess[str]
    warehouse: Path
    expected: list[Expected]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    """The corpus, plus a link to a file outside raw_dir, landed and built once."""
    tmp = tmp_path_factory.mktemp("malformed")
    raw = tmp / "raw"
    expected = write_corpus(raw)
    outside = tmp / "outside" / "secret.jsonl"
    outside.parent.mkdir()
    line = {
        "received_at": "2026-03-02T10:00:00Z",
        "user_id": MARKER,
        "method": "product_event",
        "data": {"product_id": MARKER, "event_type": "view", "name": MARKER},
    }
    outside.write_text(json.dumps(line) + "\n")
    (raw / LINK_NAME).symlink_to(outside)
    warehouse = tmp / "wh" / "warehouse.duckdb"
    return CorpusRun(run_cli(raw, warehouse), warehouse, expected)


@contextmanager
def published(run: CorpusRun) -> Iterator[duckdb.DuckDBPyConnection]:
    assert run.warehouse.exists(), (
        f"nothing published (exit {run.result.returncode}):\n"
        + run.result.stdout[-3000:]
        + run.result.stderr[-3000:]
    )
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        yield con


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, name) of every table and view."""
    return con.execute(
        "select table_schema, table_name from information_schema.tables order by all"
    ).fetchall()


def text_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """The columns of a relation that can hold text: VARCHAR, JSON and nested types of them."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [name for name, data_type in rows if re.search(r"VARCHAR|JSON", data_type)]


def find_text(
    con: duckdb.DuckDBPyConnection, needles: Iterable[str], where: Iterable[tuple[str, str]]
) -> list[tuple[str, str, str, int]]:
    """(table, column, needle, rows) for every needle found, case-insensitively, in a
    text column of the relations `where`."""
    needle_list = sorted({needle.lower() for needle in needles})
    found = []
    for schema, table in where:
        columns = text_columns(con, schema, table)
        if not columns:
            continue
        cells = ", ".join(
            f"struct_pack(col := '{column}', val := lower(cast(\"{column}\" as varchar)))"
            for column in columns
        )
        rows = con.execute(
            f"""
            with cells as (select unnest([{cells}]) as cell from "{schema}"."{table}")
            select cell.col, needle, count(*)
            from cells, unnest(?::varchar[]) as needles(needle)
            where contains(cell.val, needle)
            group by all order by all
            """,
            [needle_list],
        ).fetchall()
        found += [(f"{schema}.{table}", column, needle, n) for column, needle, n in rows]
    return found


def test_run_succeeds_and_funnels_are_built(corpus_run: CorpusRun) -> None:
    result = corpus_run.result
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    with published(corpus_run) as con:
        counts = {
            m: con.execute(f"select count(*) from {m}").fetchall()[0][0] for m in FUNNEL_MARTS
        }
    assert all(counts.values()), counts


def test_every_line_has_exactly_its_outcome(corpus_run: CorpusRun) -> None:
    expected = {(e.raw_file, e.raw_line_no): e for e in corpus_run.expected}
    assert len(expected) == len(corpus_run.expected) >= 1000
    with published(corpus_run) as con:
        audit = con.execute(
            "select raw_file, raw_line_no, outcome, reason_code from audit_raw_lines"
        ).fetchall()
        details = {
            (raw_file, no): detail
            for raw_file, no, detail in con.execute(
                "select raw_file, raw_line_no, reason_detail from quarantine_events"
            ).fetchall()
        }
    actual = {(raw_file, no): (outcome, reason) for raw_file, no, outcome, reason in audit}
    repeated = [key for key, n in Counter((f, no) for f, no, *_ in audit).items() if n > 1]

    wrong = [
        (e, actual.get(key))
        for key, e in expected.items()
        if actual.get(key) != (e.outcome, e.reason_code)
    ]
    unexpected = sorted(set(actual) - set(expected))
    report = [
        f"{e.raw_file}:{e.raw_line_no} [{e.case}] expected {e.outcome}/{e.reason_code}, got "
        + ("no audit row" if got is None else f"{got[0]}/{got[1]}")
        + (
            f" ({details[e.raw_file, e.raw_line_no]})"
            if (e.raw_file, e.raw_line_no) in details
            else ""
        )
        for e, got in wrong
    ]
    report += [f"{f}:{no} not written by the corpus: {actual[f, no]}" for f, no in unexpected]
    report += [f"{f}:{no} has more than one audit row" for f, no in repeated]
    kinds = Counter(
        (e.reason_code or e.outcome, "missing" if got is None else got[1] or got[0])
        for e, got in wrong
    )
    summary = "\n".join(
        f"  {n:4} expected {want}, got {got}" for (want, got), n in kinds.most_common()
    )
    assert not report, (
        f"{len(wrong)} of {len(expected)} lines judged otherwise, {len(unexpected)} unexpected "
        f"audit rows, {len(repeated)} repeated:\n{summary}\n" + "\n".join(report[:300])
    )


def test_no_published_number_is_nan_or_infinite(corpus_run: CorpusRun) -> None:
    with published(corpus_run) as con:
        schemas = [
            schema
            for (schema,) in con.execute(
                "select distinct table_schema from information_schema.tables "
                "where list_contains(?, table_name) and not list_contains(?, table_schema)",
                [list(CONTRACT_TABLES), list(NOT_PUBLISHED_SCHEMAS)],
            ).fetchall()
        ]
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where list_contains(?, table_schema) and (data_type in ('DOUBLE', 'FLOAT', 'REAL') "
            "or data_type like 'DECIMAL%') order by all",
            [schemas],
        ).fetchall()
        assert columns, schemas  # the marts' rates and revenue at least
        poisoned = [
            (f"{schema}.{table}.{column}", n)
            for schema, table, column in columns
            for (n,) in con.execute(
                f'select count(*) from "{schema}"."{table}" '
                f'where isnan("{column}"::double) or isinf("{column}"::double)'
            ).fetchall()
            if n
        ]
    assert not poisoned, poisoned


def test_no_clear_text_email_or_phone_in_published_tables(corpus_run: CorpusRun) -> None:
    needles = [*EMAILS, *PHONES, *(digits(p) for p in PHONES if len(digits(p)) >= 9)]
    with published(corpus_run) as con:
        published_relations = [
            (schema, table)
            for schema, table in relations(con)
            if schema not in CLEAR_TEXT_ALLOWED_SCHEMAS and table not in CLEAR_TEXT_ALLOWED_TABLES
        ]
        assert {"fact_site_events", "dim_contacts"} <= {t for _, t in published_relations}
        found = find_text(con, needles, published_relations)
    assert not found, "\n".join(f"{t}.{c}: {needle!r} in {n} rows" for t, c, needle, n in found)


def test_no_plain_sha256_of_email_or_phone_anywhere(corpus_run: CorpusRun) -> None:
    """A plain hash of a known address is a lookup away from the address: only keyed
    pseudonyms (HMAC) may leave the raw line, in any schema."""
    hashes = {sha256_hex(email.strip().lower()): email for email in EMAILS}
    hashes |= {sha256_hex(digits(phone)): phone for phone in PHONES}
    with published(corpus_run) as con:
        found = find_text(con, hashes, relations(con))
    assert not found, "\n".join(
        f"{t}.{c}: sha256 of {hashes[h]!r} in {n} rows" for t, c, h, n in found
    )


def test_client_time_is_trusted_only_when_plausible(corpus_run: CorpusRun) -> None:
    cases = [e for e in corpus_run.expected if e.client_time_trusted is not None]
    assert any(e.client_time_trusted for e in cases) and not all(
        e.client_time_trusted for e in cases
    )
    with published(corpus_run) as con:
        has_flag = con.execute(
            "select count(*) from information_schema.columns where table_name = "
            "'fact_product_events' and column_name = 'is_client_time_trusted'"
        ).fetchall()[0][0]
        flag = "is_client_time_trusted" if has_flag else "null"
        rows = con.execute(
            f"select raw_file, raw_line_no, occurred_at, received_at, {flag} "
            "from fact_product_events"
        ).fetchall()
    facts: dict[tuple[str, int], list[tuple]] = {}
    for raw_file, no, *values in rows:
        facts.setdefault((raw_file, no), []).append(tuple(map(utc_naive, values)))

    wrong = []
    for e in cases:
        got = facts.get((e.raw_file, e.raw_line_no), [])  # (occurred_at, received_at, flag)
        want = (e.occurred_at, e.client_time_trusted)
        line = f"{e.raw_file}:{e.raw_line_no} [{e.case}]"
        if len(got) != 1 or (got[0][0], got[0][2]) != want:
            wrong.append(f"{line} want (occurred_at, trusted) = {want}, got {got}")
        elif not e.client_time_trusted and got[0][0] != got[0][1]:
            wrong.append(f"{line} occurred_at is not received_at: {got}")
    if not has_flag:
        wrong.insert(0, "fact_product_events has no column is_client_time_trusted")
    assert not wrong, "\n".join(wrong)


def utc_naive(value: object) -> object:
    """A TIMESTAMPTZ read back as the naive UTC time TIMESTAMP columns hold."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def test_a_link_out_of_the_landing_folder_lands_nothing(corpus_run: CorpusRun) -> None:
    with published(corpus_run) as con:
        found = find_text(con, [MARKER], relations(con))
        audited = con.execute(
            "select count(*) from audit_raw_lines where raw_file = ?", [LINK_NAME]
        ).fetchall()[0][0]
    assert not found, found
    assert audited == 0
