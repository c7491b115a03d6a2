"""The short text summary ``make run`` prints, read back from the warehouse."""

from __future__ import annotations

from typing import TextIO

import duckdb

from orchestration.settings import SOURCES

CONTRACT_TABLES = (
    "fact_product_events",
    "fact_site_events",
    "dim_products",
    "dim_products_history",
    "dim_contacts",
    "audit_raw_lines",
    "quarantine_events",
    "mart_funnel_daily",
    "mart_product_funnel",
    "mart_abandoned_carts",
)


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {name for (name,) in rows}


def landing_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Per source: lines in the landing table and files by manifest status."""
    tables = existing_tables(con)
    counts: dict[str, dict[str, int]] = {}
    for source in SOURCES:
        row = {"lines": 0, "landed": 0, "duplicate": 0, "failed": 0}
        if f"raw.{source}_lines" in tables:
            row["lines"] = con.execute(f"select count(*) from raw.{source}_lines").fetchall()[0][0]
        if "raw.landed_files" in tables:
            for status, n in con.execute(
                "select status, count(*) from raw.landed_files where source_system = ? "
                "group by status",
                [source],
            ).fetchall():
                row[status] = n
        counts[source] = row
    return counts


def print_summary(
    con: duckdb.DuckDBPyConnection, out: TextIO, new_lines: dict[str, int] | None = None
) -> None:
    """Print landing, table, outcome, quarantine and funnel figures.

    ``new_lines``: lines landed by this run per source, when a run just happened.
    """
    tables = existing_tables(con)
    out.write("\n== Landed lines per source ==\n")
    for source, row in landing_counts(con).items():
        this_run = "" if new_lines is None else f"{new_lines.get(source, 0):>8} new this run, "
        out.write(
            f"  {source:<9} {this_run}{row['lines']:>8} in total  (files: {row['landed']} "
            f"landed, {row['duplicate']} duplicate, {row['failed']} failed)\n"
        )
    if "raw.landed_files" in tables:
        for raw_file, status, detail in con.execute(
            "select raw_file, status, detail from raw.landed_files "
            "where status = 'failed' or detail like 'truncated:%' order by raw_file"
        ).fetchall():
            label = "FAILED FILE" if status == "failed" else "TRUNCATED FILE"
            out.write(f"  {label} {raw_file}: {detail}\n")

    out.write("\n== Rows per table ==\n")
    for table in CONTRACT_TABLES:
        if f"main.{table}" in tables:
            n = con.execute(f"select count(*) from main.{table}").fetchall()[0][0]
            out.write(f"  {table:<22} {n:>10}\n")
        else:
            out.write(f"  {table:<22} {'(not built)':>10}\n")

    if "main.audit_raw_lines" in tables:
        reasons: dict[str, list[str]] = {}
        if "main.quarantine_events" in tables:
            for source, reason, n in con.execute(
                "select source_system, reason_code, count(*) from main.quarantine_events "
                "group by all order by 1, 2"
            ).fetchall():
                reasons.setdefault(source, []).append(f"{reason} {n}")
        out.write("\n== Line outcomes per source (rejected lines by reason) ==\n")
        for source, accepted, duplicate, rejected in con.execute(
            """
            select source_system,
                   count(*) filter (where outcome = 'accepted'),
                   count(*) filter (where outcome = 'duplicate'),
                   count(*) filter (where outcome = 'rejected')
            from main.audit_raw_lines group by 1 order by 1
            """
        ).fetchall():
            why = ", ".join(reasons.get(source, []))
            out.write(
                f"  {source:<9} accepted {accepted:>8}  duplicate {duplicate:>6}  "
                f"rejected {rejected:>6}{': ' + why if why else ''}\n"
            )
    if "intermediate.int_events_deduplicated" in tables:
        distrusted = con.execute(
            "select source_system, count(*) from intermediate.int_events_deduplicated "
            "where outcome = 'accepted' and not is_client_time_trusted group by 1 order by 1"
        ).fetchall()
        if distrusted:
            out.write(
                "  client time not trusted (over a day ahead of the server, or before 2000; "
                "the event's time is received_at): "
                + ", ".join(f"{source} {n}" for source, n in distrusted)
                + "\n"
            )
    if "main.mart_funnel_daily" in tables:
        viewed, carted, purchased = con.execute(
            "select sum(contacts_viewed), sum(contacts_carted), sum(contacts_purchased) "
            "from main.mart_funnel_daily"
        ).fetchall()[0]
        out.write("\n== Funnel headline (daily journeys, all sources) ==\n")
        out.write(f"  viewed {viewed or 0}  carted {carted or 0}  purchased {purchased or 0}\n")
        if viewed:
            out.write(
                f"  view->cart {carted / viewed:.1%}  view->purchase {purchased / viewed:.1%}"
                + (f"  cart->purchase {purchased / carted:.1%}" if carted else "")
                + "\n"
            )


def print_checks(evaluations, out: TextIO) -> None:
    """The run's checks: how many passed, then each failure with why (dbt tests, the
    Great Expectations suites, the landing checks)."""
    if not evaluations:
        return
    failed = sorted(
        (e for e in evaluations if not e.passed),
        key=lambda e: (e.severity.value != "ERROR", e.check_name),
    )
    out.write(f"\n== Checks: {len(evaluations) - len(failed)} of {len(evaluations)} passed ==\n")
    # one entry for a failure several assets report alike (a stray at the landing
    # folder's top is reported by every source's landing check)
    grouped: dict[tuple, list[str]] = {}
    for e in failed:
        key = (e.severity.value.lower(), e.check_name, e.description)
        grouped.setdefault(key, []).append(e.asset_key.to_user_string())
    for (severity, check_name, description), assets in grouped.items():
        out.write(f"  {'FAIL (' + severity + ')':<14} {', '.join(assets)}: {check_name}\n")
        if description:
            out.write(f"                 {description}\n")
