"""``python -m orchestration.cli run``: what ``make run`` does.

Runs the ``build_everything`` job of the Dagster definitions in process (the same
assets, checks and resources ``dagster dev`` shows), then prints a short summary read
back from the warehouse. Exits non-zero when the run failed, e.g. a blocking check.
"""

from __future__ import annotations

import argparse
import sys

import duckdb
from dagster import AssetCheckSeverity, DagsterInstance

from orchestration import settings
from orchestration.summary import print_checks, print_summary


def run() -> int:
    # Imported here so `--help` works before the dbt manifest exists.
    from orchestration.definitions import defs

    instance = DagsterInstance.get()  # $DAGSTER_HOME, set by the Makefile
    job = defs.resolve_job_def("build_everything")
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    new_lines = {
        event.asset_key.path[-1].removesuffix("_lines"): event.metadata["new_lines"].value
        for event in (e.materialization for e in result.get_asset_materialization_events())
        if event.asset_key.path[0] == "raw" and "new_lines" in event.metadata
    }
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        print_summary(con, sys.stdout, new_lines=new_lines)
    print_checks(checks, sys.stdout)
    blocking = [c for c in checks if not c.passed and c.severity == AssetCheckSeverity.ERROR]
    if not result.success or blocking:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        failed += [f"check {c.check_name}" for c in blocking]
        print(f"\nRUN FAILED ({', '.join(failed) or 'unknown'})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="land every dump, build every model, run every check")
    sub.add_parser("summary", help="print the summary of the current warehouse")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run()
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        print_summary(con, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
