"""Dagster loggers for ``make run``: one line per step on the terminal, everything else
(dbt's and GX's detail, stack traces) in a log file.

``dagster dev`` keeps Dagster's own console logger: a run configures loggers only
when its run config names them, as ``orchestration/cli.py`` does.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from dagster import Field, InitLoggerContext, default_loggers, logger

from orchestration.defs.warehouse.files import NOTHING_NEW


def _event(record: logging.LogRecord):
    meta = getattr(record, "dagster_meta", None) or {}
    return meta.get("step_key"), meta.get("dagster_event")


def first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


INTERRUPTS = ("KeyboardInterrupt", "DagsterExecutionInterruptedError")


def _chain(error) -> list:
    chain, seen = [], error
    while seen is not None:
        chain.append(seen)
        seen = seen.cause or seen.context
    return chain


def was_interrupted(error) -> bool:
    """The step ended because the run was stopped (SIGINT, SIGTERM)."""
    return any(item.cls_name in INTERRUPTS for item in _chain(error))


def failure_line(error) -> str:
    """The message of a Dagster error that says what to do: the innermost one raised by
    this project (a Failure's description, a WarehouseError), else the outermost."""
    chain = _chain(error)
    if was_interrupted(error):
        return "stopped by a signal (SIGINT or SIGTERM)"
    for item in reversed(chain):
        if item.cls_name in ("WarehouseError", "Failure", "DagsterDbtCliRuntimeError"):
            return _without_class(item)
    return _without_class(chain[0])


def _without_class(error) -> str:
    """The first line of the message, without the "module.Class: " Python puts first."""
    message = first_line(error.message)
    head, sep, rest = message.partition(": ")
    return rest if sep and head.split(".")[-1] == error.cls_name else message


def _message(record: logging.LogRecord) -> str:
    """What the step logged, without Dagster's prefix."""
    return getattr(record, "dagster_meta", {}).get("orig_message", "")


class _ProgressHandler(logging.Handler):
    """`<step> ... done (1.2 s)` per step, warnings of the run, failures in one line."""

    def __init__(self, stream) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.started: dict[str, float] = {}
        self.nothing_new = False

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        step, event = _event(record)
        kind = event.event_type_value if event is not None else None
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
        elif kind == "STEP_SUCCESS":
            elapsed = time.monotonic() - self.started.get(step, time.monotonic())
            self._write(f"  {step:<40} done   {elapsed:6.1f} s")
        elif kind == "STEP_FAILURE":
            error = event.step_failure_data.error
            self._write(f"  {step:<40} FAILED {failure_line(error) if error else ''}")
        elif kind == "STEP_SKIPPED":
            why = (
                "nothing new"
                if self.nothing_new
                else "an upstream step failed or a check blocked it"
            )
            self._write(f"  {step:<40} skipped ({why})")
        elif event is None and _message(record) == NOTHING_NEW:
            self.nothing_new = True
            self._write(f"  {step:<40} {NOTHING_NEW}")
        elif event is None and record.levelno >= logging.WARNING and step is None:
            # the run's own warnings outside steps (the writer lock, dead runs)
            self._write(f"  {_message(record)}")


@logger(description="One line per step on stdout (make run).")
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.getLogger(f"progress-{init_context.run_id}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.handlers = [_ProgressHandler(sys.stdout)]
    return log


class _FileHandler(logging.FileHandler):
    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        _, event = _event(record)
        data = getattr(event, "event_specific_data", None) if event is not None else None
        error = getattr(data, "error", None)
        if error is not None and self.stream is not None:
            self.stream.write(error.to_string() + "\n")
            self.flush()


@logger(
    config_schema={"path": Field(str, description="The log file (appended to).")},
    description="Every Dagster message of the run, with stack traces, in a file.",
)
def file_logger(init_context: InitLoggerContext) -> logging.Logger:
    path = Path(init_context.logger_config["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log = logging.getLogger(f"file-{init_context.run_id}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.handlers = [handler]
    return log


LOGGERS = {**default_loggers(), "progress": progress_logger, "file": file_logger}
