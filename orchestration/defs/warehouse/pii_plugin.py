"""The dbt-duckdb plugin that sets the pseudonyms' key (``pii``) on every DuckDB
connection and cursor dbt opens, as the variables ``pii_hmac_ipad`` and
``pii_hmac_opad`` (bound parameters: the key appears in no SQL text, log or compiled
file). dbt_project/profiles.yml names this module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.defs.warehouse.pii import hash_key, hmac_pads


class Plugin(BasePlugin):
    """Sets the HMAC pads on each DuckDB connection dbt opens (cursors do not inherit
    variables)."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._pads = hmac_pads(hash_key(Path(plugin_config["key_file"])))

    def configure_connection(self, conn: Any) -> None:
        self._set(conn)

    def configure_cursor(self, cursor: Any) -> None:
        self._set(cursor)

    def _set(self, conn: Any) -> None:
        conn.execute("set variable pii_hmac_ipad = ?", [self._pads[0]])
        conn.execute("set variable pii_hmac_opad = ?", [self._pads[1]])
