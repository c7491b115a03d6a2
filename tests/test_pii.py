"""The pseudonyms' key (orchestration/defs/warehouse/pii.py) and what the warehouse holds instead of
emails: HMAC-SHA-256 under that key, checked against Python's hmac."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.warehouse import pii
from tests.conftest import query

SAMPLE_EMAIL = "example@email.com"  # eSputnik's keyValue in raw_samples


def test_the_key_file_is_created_once_for_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pii.KEY_ENV, raising=False)
    path = tmp_path / "wh" / pii.KEY_FILE_NAME
    key = pii.hash_key(path)
    assert len(key) == 64 and int(key, 16) >= 0  # 32 random bytes as hex
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pii.hash_key(path) == key  # kept, not made again
    assert pii.hash_key(tmp_path / "other" / pii.KEY_FILE_NAME) != key


def test_pii_hash_key_wins_and_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pii.KEY_ENV, "from the environment")
    path = tmp_path / pii.KEY_FILE_NAME
    assert pii.hash_key(path) == b"from the environment"
    assert not path.exists()


@pytest.mark.parametrize("key", [b"short", b"k" * 64, b"a key longer than a block " * 4])
def test_the_sql_form_is_hmac_sha256(key: bytes) -> None:
    ipad, opad = pii.hmac_pads(key)
    con = duckdb.connect()
    con.execute("set variable pii_hmac_ipad = ?", [ipad])
    con.execute("set variable pii_hmac_opad = ?", [opad])
    # the expression of the macro pseudonym (dbt_project/macros/pii/pseudonym.sql)
    got = con.execute(
        "select sha256(getvariable('pii_hmac_opad') || unhex(sha256("
        "getvariable('pii_hmac_ipad') || encode(?))))",
        [SAMPLE_EMAIL],
    ).fetchall()[0][0]
    assert got == hmac.new(key, SAMPLE_EMAIL.encode(), hashlib.sha256).hexdigest()


def test_the_warehouse_holds_keyed_pseudonyms_not_emails(built: Path) -> None:
    key = (built.parent / pii.KEY_FILE_NAME).read_text().strip().encode()
    keyed = hmac.new(key, SAMPLE_EMAIL.encode(), hashlib.sha256).hexdigest()
    plain = hashlib.sha256(SAMPLE_EMAIL.encode()).hexdigest()
    contacts = query(built, "select contact_id, email_pseudonym from dim_contacts")
    assert (f"esputnik:email:{keyed}", keyed) in contacts
    sql = (
        "select count(*) from dim_contacts "
        "where email_pseudonym = '{0}' or contains(contact_id, '{0}')"
    )
    # (tests/test_malformed_corpus.py searches every table of the warehouse)
    assert query(built, sql.format(plain)) == [(0,)]
