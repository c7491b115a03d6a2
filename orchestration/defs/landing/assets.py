"""Landing assets: one per source, raw dump lines into ``raw.<source>_lines``."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.landing.dumps import land_source, missing_raw_dir_message, unknown_entries
from orchestration.defs.warehouse.resources import WarehouseResource
from orchestration.settings import SOURCES


def landing_asset_key(source: str) -> AssetKey:
    """Matches the dbt source ``raw.<source>_lines``, so dagster-dbt wires the lineage."""
    return AssetKey(["raw", f"{source}_lines"])


def build_landing_asset(source: str) -> AssetsDefinition:
    key = landing_asset_key(source)
    check = AssetCheckSpec(
        "all_dump_files_readable",
        asset=key,
        description="Every dump file under the source folder could be read whole; "
        "a failed file landed none of its lines and is retried next run, a truncated "
        "gzip landed its complete lines.",
    )
    known = AssetCheckSpec(
        "no_unknown_files",
        asset=key,
        description=f"Nothing under $RAW_DATA_DIR is skipped without a word: files in {source}/ "
        "that are not dumps (*.jsonl, *.jsonl.gz) and entries at the top that are not a "
        f"source folder ({', '.join(SOURCES)}) are listed here.",
    )

    @asset(
        key=key,
        group_name="landing",
        kinds={"duckdb", "python"},
        check_specs=[check, known],
        description=(
            f"Raw lines of the {source} dumps under $RAW_DATA_DIR/{source}/ (*.jsonl, "
            "*.jsonl.gz), unparsed, with raw_file, raw_line_no, file_sha256, loaded_at. "
            "A file lands in one transaction or not at all; content already landed, "
            "under any name, is skipped. Every file seen is listed in raw.landed_files."
        ),
    )
    def _landing(context: AssetExecutionContext, warehouse: WarehouseResource):
        if not warehouse.raw_dir.is_dir():
            raise Failure(description=missing_raw_dir_message(warehouse.raw_dir))
        unknown = unknown_entries(warehouse.raw_dir)
        strays = unknown[source] + [
            f"{name} (not a source folder: {', '.join(SOURCES)})" for name in unknown[None]
        ]
        for stray in strays:
            context.log.warning(f"not landed: {stray}")
        with warehouse.connect() as con:
            report = land_source(con, source, warehouse.raw_dir)
            total_rows = con.execute(f"select count(*) from raw.{source}_lines").fetchall()[0][0]
        for failed in report.failed:
            context.log.error(failed.detail)
        for truncated in report.truncated:
            context.log.warning(f"{truncated.raw_file}: {truncated.detail}")
        context.log.info(
            f"{source}: {report.lines_landed} new lines from {report.files_landed} new files; "
            f"{report.files_already_landed} already landed, {report.files_duplicate} "
            f"renamed duplicates, {len(report.failed)} failed, {len(report.truncated)} truncated"
        )
        return MaterializeResult(
            metadata={
                "new_lines": report.lines_landed,
                "new_files": report.files_landed,
                "already_landed_files": report.files_already_landed,
                "duplicate_files": report.files_duplicate,
                "failed_files": len(report.failed),
                "truncated_files": len(report.truncated),
                "dagster/row_count": total_rows,
            },
            check_results=[
                AssetCheckResult(
                    check_name=check.name,
                    passed=not report.failed and not report.truncated,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "failed_files": MetadataValue.md(
                            "\n".join(f"- {f.detail}" for f in report.failed) or "none"
                        ),
                        "truncated_files": MetadataValue.md(
                            "\n".join(f"- {f.raw_file}: {f.detail}" for f in report.truncated)
                            or "none"
                        ),
                    },
                ),
                AssetCheckResult(
                    check_name=known.name,
                    passed=not strays,
                    severity=AssetCheckSeverity.WARN,
                    description=("not landed: " + "; ".join(strays)) if strays else None,
                    metadata={
                        "unknown": MetadataValue.md("\n".join(f"- {s}" for s in strays) or "none")
                    },
                ),
            ],
        )

    return _landing


landing_assets = [build_landing_asset(source) for source in SOURCES]
