"""The key of the warehouse's pseudonyms (HMAC-SHA-256), and the dbt-duckdb plugin that
hands it to DuckDB.

Emails, phones and email- or phone-shaped identifiers never reach a published table
in clear text; the staging models replace them with HMAC-SHA-256(key, value) (macro
``pseudonym``). The key is ``$PII_HASH_KEY`` when set; otherwise it is read from the
key file beside the warehouse (``<warehouse folder>/pii_hash.key``), which the first
dbt connection creates (32 random bytes as hex, readable by its owner only). It is
never stored in the warehouse file: the warehouse alone cannot be re-identified by
hashing a list of emails.

dbt-duckdb loads ``pii_plugin`` (``plugins`` in dbt_project/profiles.yml), in any dbt
process, a pipeline run or ``dbt run`` on its own; this module does not import dbt, so
the key is known without dbt's imports. The plugin sets the DuckDB
variables ``pii_hmac_ipad`` and ``pii_hmac_opad`` (the key block XOR HMAC's pads) on
every connection and cursor as bound parameters, so the key appears in no SQL text,
log or compiled file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "PII_HASH_KEY"
KEY_FILE_NAME = "pii_hash.key"
BLOCK = 64  # SHA-256's block size: an HMAC key is padded to it, or hashed when longer


def key_file(published: Path) -> Path:
    """Where the key lives when ``$PII_HASH_KEY`` is not set: beside the warehouse."""
    return published.parent / KEY_FILE_NAME


def hash_key(path: Path) -> bytes:
    """The key's bytes: ``$PII_HASH_KEY``, else the key file, created on first use."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode()
    try:
        return path.read_text().strip().encode()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


def key_block(key: bytes) -> bytes:
    """The key as HMAC uses it (RFC 2104): hashed when longer than a block, then padded
    with zeros to one block."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    return key.ljust(BLOCK, b"\0")


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA-256's inner and outer key pads: SHA-256(opad || SHA-256(ipad || m)) is
    HMAC(key, m), the form the macro ``pseudonym`` computes in SQL."""
    block = key_block(key)
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def fingerprint(key: bytes) -> str:
    """Names the key without revealing it: HMAC(key, a fixed text), 16 hex digits."""
    return hmac.new(key, b"key fingerprint", hashlib.sha256).hexdigest()[:16]
