"""Launch the build when new dump files appear; build daily regardless; mark runs
whose process died as failed.

The build sensor and the schedule are **off** by default: ``make dev`` opens the UI
without starting a build behind the user's back. Turn them on in the UI (Automation)
or with ``dagster sensor start new_dump_files`` / ``dagster schedule start daily_build``.
The dead-run sensor is on: it launches nothing, it only tidies Dagster's storage.
"""

from __future__ import annotations

import hashlib

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from orchestration.defs.landing.dumps import discover_dump_files
from orchestration.defs.warehouse.files import recover_dead_runs
from orchestration.settings import SOURCES, raw_data_dir


def dump_files_fingerprint() -> tuple[str, int]:
    """A digest of every dump file's name, size and mtime under $RAW_DATA_DIR, and the
    file count. Cheap (no file is read) and needs no warehouse connection, so the
    sensor never competes with a running build for DuckDB's lock."""
    raw = raw_data_dir()
    digest = hashlib.sha256()
    count = 0
    for source in SOURCES:
        for path in discover_dump_files(raw, source):
            stat = path.stat()
            digest.update(f"{path.relative_to(raw)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            count += 1
    return digest.hexdigest(), count


def build_sensors(job: JobDefinition) -> list[SensorDefinition]:
    @sensor(
        job=job,
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.STOPPED,
        description="Launches the build when dump files under $RAW_DATA_DIR are added or "
        "changed (one run per new state of the folder; landing skips content already landed).",
    )
    def new_dump_files(context: SensorEvaluationContext):
        fingerprint, count = dump_files_fingerprint()
        if fingerprint == context.cursor:
            return SkipReason(f"no new dump files ({count} seen)")
        context.update_cursor(fingerprint)
        return RunRequest(run_key=fingerprint, tags={"trigger": "new_dump_files"})

    @sensor(
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description="Marks as failed every unfinished run whose process is gone (killed, "
        "machine restarted): such a run would otherwise stay STARTED and hold the run queue.",
    )
    def dead_runs(context: SensorEvaluationContext):
        recovered = recover_dead_runs(context.instance)
        return SkipReason("; ".join(recovered) or "no dead runs")

    return [new_dump_files, dead_runs]


def build_schedules(job: JobDefinition) -> list[ScheduleDefinition]:
    return [
        ScheduleDefinition(
            name="daily_build",
            job=job,
            cron_schedule="0 3 * * *",
            execution_timezone="UTC",
            default_status=DefaultScheduleStatus.STOPPED,
            description="Rebuild everything daily at 03:00 UTC (abandoned carts age with time).",
        )
    ]
