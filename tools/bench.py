"""`make bench EVENTS=...`: generate, build the way `make run` does, measure, report.

Writes `build/bench/report.md` and `report.json` with, per stage (landing, each dbt
layer, dbt tests, checks, funnel marts) and in total: wall time, events/s and peak
memory (RSS of the build's process and every child, sampled every 100 ms); the floor
measured in the same run (DuckDB reading every raw line once and validating its JSON)
and the ratio total/floor; then the same for an incremental day at 1 % of the volume,
and for a run with no new data at all: what every run pays whatever it lands (the day's
fixed part; the rest of the day is what its data costs). Each build runs in a fresh
process (`--one-build`), as `make run` does, so its imports count.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

import duckdb
import psutil

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT
from tools.generate import Spec, generate

BENCH_DIR = REPO_ROOT / "build" / "bench"
GIB = 1024**3


class MemorySampler:
    """Peak RSS of this process plus all its children, and a time series of it."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a child that just exited
                    total += proc.memory_info().rss
            self.samples.append((time.time(), total))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float = 0, end: float = float("inf")) -> int:
        return max((rss for at, rss in self.samples if start <= at <= end), default=0)


@dataclass
class Stage:
    name: str
    seconds: float
    peak_rss_gib: float
    events_per_second: float | None = None


@dataclass
class Measurement:
    label: str
    events: int
    lines: int
    floor_seconds: float
    total_seconds: float
    startup_seconds: float
    peak_rss_gib: float
    stages: list[Stage] = field(default_factory=list)
    dagster_events: int = 0  # events the run recorded in the Dagster instance
    dbt_nodes: dict[str, float] = field(default_factory=dict)  # seconds per model and test

    @property
    def events_per_second(self) -> float:
        return self.events / self.total_seconds

    @property
    def ratio_to_floor(self) -> float | None:
        """None for a run with nothing to read (no floor)."""
        return self.total_seconds / self.floor_seconds if self.floor_seconds else None


def measure_floor(raw: Path) -> tuple[float, int]:
    """DuckDB reads every raw line once and validates its JSON: the least any pipeline
    that looks at every line must do."""
    started = time.perf_counter()
    con = duckdb.connect()
    lines, _valid = con.execute(
        f"""
        select count(*), count(*) filter (where json_valid(line))
        from read_csv('{raw}/*/**.jsonl', columns = {{'line': 'VARCHAR'}}, header = false,
                      delim = '\x01', quote = '', escape = '', auto_detect = false)
        """
    ).fetchall()[0]
    con.close()
    return time.perf_counter() - started, lines


IMPORTS = """
import json, time
started = time.perf_counter()
import orchestration.definitions
defined = time.perf_counter()
import great_expectations
print(json.dumps({"definitions (dagster, dagster-dbt, dbt)": round(defined - started, 2),
                  "great_expectations": round(time.perf_counter() - defined, 2)}))
"""


def measure_imports() -> dict[str, float]:
    """Seconds a fresh process spends importing, before any work: what every run pays
    in the start-up stage (the definitions) and in the checks stage (GX)."""
    out = subprocess.run(
        [sys.executable, "-c", IMPORTS], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def dbt_node_seconds(since: float) -> dict[str, float]:
    """Seconds per dbt node (`kind.name`) from the run_results.json files dagster-dbt
    wrote since `since`."""
    nodes: dict[str, float] = {}
    for results in DBT_PROJECT_DIR.glob("target/*/run_results.json"):
        if results.stat().st_mtime < since:
            continue
        for node in json.loads(results.read_text())["results"]:
            kind, _, name = node["unique_id"].split(".", 2)
            key = f"{kind}.{name.split('.')[-1]}"  # a node run in two steps: both times
            nodes[key] = round(nodes.get(key, 0.0) + node["execution_time"], 3)
    return nodes


def dbt_layer_seconds(nodes: dict[str, float]) -> dict[str, float]:
    """Seconds per dbt layer: the node times summed."""
    layers: dict[str, float] = defaultdict(float)
    for node, seconds in nodes.items():
        kind, name = node.split(".", 1)
        if kind in ("test", "unit_test"):
            layer = "dbt tests"
        elif kind == "seed":
            layer = "dbt seeds"
        elif name.startswith("stg_"):
            layer = "dbt staging"
        elif name.startswith("int_"):
            layer = "dbt intermediate"
        else:
            layer = "dbt marts"
        layers[layer] += seconds
    return dict(layers)


def run_build(label: str, events: int, raw: Path, floor: tuple[float, int]) -> Measurement:
    """One build in a fresh Python process, as `make run` (or a run Dagster launches)
    starts one: its imports and definitions are part of what it costs."""
    result = raw.parent / f"measurement-{label.split()[0]}.json"
    spawned = time.time()
    subprocess.run(
        [sys.executable, "-m", "tools.bench", "--one-build", label,
         "--events", str(events), "--floor", json.dumps(list(floor)),
         "--spawned", repr(spawned), "--out", str(result)],
        cwd=REPO_ROOT,
        check=True,
    )  # fmt: skip
    data = json.loads(result.read_text())
    return Measurement(**{**data, "stages": [Stage(**stage) for stage in data["stages"]]})


def measure_build(label: str, events: int, floor: tuple[float, int], spawned: float) -> Measurement:
    """The build_everything job in this process, as `make run` runs it, timed per step
    from `spawned` (when the parent started this process)."""
    with MemorySampler() as memory:
        from orchestration import cli

        # what `make run` decides before Dagster starts: nothing new, nothing to run
        checking = time.time()
        if cli.preflight():
            finished = time.time()
            return Measurement(
                label=label,
                events=events,
                lines=floor[1],
                floor_seconds=round(floor[0], 3),
                total_seconds=round(finished - spawned, 2),
                startup_seconds=round(checking - spawned, 2),
                peak_rss_gib=round(memory.peak() / GIB, 3),
                stages=[
                    Stage(
                        "pre-flight: nothing new, no Dagster run",
                        round(finished - checking, 2),
                        round(memory.peak() / GIB, 3),
                    )
                ],
            )

        instance, job, selection = cli.load_job()
        job_started = time.time()
        result = job.execute_in_process(
            instance=instance,
            asset_selection=selection,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        finished = time.time()
    if not result.success:
        raise SystemExit(f"bench: the {label} build failed")

    steps: dict[str, list[float]] = defaultdict(list)
    logs = instance.all_logs(result.run_id)
    for entry in logs:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
            steps[event.step_key].append(entry.timestamp)
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for step, stamps in steps.items():
        if step.startswith("raw__"):
            group = "landing"
        elif step == "dbt_models":
            group = "dbt build (seeds to facts, with tests)"
        elif step == "dbt_funnel_marts":
            group = "dbt funnel marts"
        elif step == "published_warehouse":
            group = "publish (copy of the build file to $WAREHOUSE_PATH)"
        else:
            group = "checks (GX + landing)"
        groups[group].append((min(stamps), max(stamps)))
    stages = []
    for group, spans in groups.items():
        seconds = sum(end - start for start, end in spans)
        peak = max(memory.peak(start, end) for start, end in spans)
        stages.append(
            Stage(group, round(seconds, 2), round(peak / GIB, 3), round(events / seconds) or None)
        )
    # steps run one after another (in-process executor): the rest of the job is Dagster's
    # own work around them (the planned-asset and planned-check events, run start and end)
    outside = finished - job_started - sum(e - b for spans in groups.values() for b, e in spans)
    stages.append(
        Stage("Dagster outside the steps (planning, run start/end)", round(outside, 2), 0.0)
    )
    nodes = dbt_node_seconds(job_started)
    for layer, seconds in sorted(dbt_layer_seconds(nodes).items()):
        stages.append(Stage(f"  {layer} (sum of node times)", round(seconds, 2), 0.0))
    total = finished - spawned
    return Measurement(
        label=label,
        events=events,
        lines=floor[1],
        floor_seconds=round(floor[0], 3),
        total_seconds=round(total, 2),
        startup_seconds=round(job_started - spawned, 2),
        peak_rss_gib=round(memory.peak() / GIB, 3),
        stages=stages,
        dagster_events=len(logs),
        dbt_nodes=nodes,
    )


def latest_load(warehouse: Path) -> object:
    """The latest loaded_at among the judged lines: what the next run's watermark is."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sql = "select max(loaded_at) from intermediate.int_events_deduplicated"
        return con.execute(sql).fetchall()[0][0]


def rederived_share(warehouse: Path, since: object) -> str:
    """What an incremental run re-derives: the models keyed by contact rebuild every
    contact with a line loaded after `since`, from all of that contact's lines."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        touched, contacts, their_lines, lines = con.execute(
            """
            with touched as (
                select distinct contact_id from intermediate.int_events_identified
                where loaded_at > ?
            )
            select
                (select count(*) from touched),
                count(distinct contact_id),
                count(*) filter (where contact_id in (select contact_id from touched)),
                count(*)
            from intermediate.int_events_identified
            """,
            [since],
        ).fetchall()[0]
    return (
        f"The day's lines touch {touched:,} of {contacts:,} contacts ({touched / contacts:.1%}); "
        f"the models keyed by contact re-derive those contacts from all of their "
        f"{their_lines:,} accepted lines ({their_lines / lines:.1%} of all)."
    )


def targets(measurements: list[Measurement]) -> list[str]:
    """Each target of the volume issue, met or missed, and the stage that weighs most."""
    full = measurements[0]
    top = max((s for s in full.stages if not s.name.startswith(" ")), key=lambda s: s.seconds)
    rows = [
        ("total / floor <= 8", full.ratio_to_floor <= 8, f"{full.ratio_to_floor:.0f}"),
        (">= 100k events/s", full.events_per_second >= 100_000, f"{full.events_per_second:,.0f}"),
        ("peak memory <= 3 GiB", full.peak_rss_gib <= 3, f"{full.peak_rss_gib} GiB"),
    ]
    if len(measurements) > 1:
        inc = measurements[1]
        allowed = 0.05 * full.total_seconds + 10
        rows.append(
            ("incremental day <= 5 % of full + 10 s", inc.total_seconds <= allowed,
             f"{inc.total_seconds} s (allowed {allowed:.1f} s)")
        )  # fmt: skip
    if len(measurements) > 2:
        # the day's fixed part is a run with no new data; the rest is what its data costs
        fixed = measurements[2].total_seconds
        variable, share = inc.total_seconds - fixed, 0.05 * full.total_seconds
        rows += [
            ("  its fixed part (a run with no new data) < 10 s", fixed < 10, f"{fixed} s"),
            ("  its variable part (day - no-data run) <= 5 % of full", variable <= share,
             f"{variable:.2f} s (allowed {share:.1f} s)"),
        ]  # fmt: skip
    out = ["| target | met | measured |", "|---|---|---|"]
    out += [f"| {name} | {'yes' if ok else 'no'} | {value} |" for name, ok, value in rows]
    out += ["", f"The largest stage of the full build: **{top.name}**, {top.seconds} s "
            f"({top.seconds / full.total_seconds:.0%} of the total)."]  # fmt: skip
    return out


def report(
    measurements: list[Measurement],
    spec: Spec,
    out: Path,
    rederived: str = "",
    imports: dict[str, float] | None = None,
) -> str:
    full = measurements[0]
    lines = [
        f"# Benchmark: {spec.events:,} events, {spec.days} days",
        "",
        f"Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / GIB:.0f} GiB. "
        f"Command: `make bench EVENTS={spec.events}`.",
        "",
        "| run | events | lines | total s | events/s | peak GiB | floor s | total/floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        ratio = "" if m.ratio_to_floor is None else f"{m.ratio_to_floor:.1f}"
        lines.append(
            f"| {m.label} | {m.events:,} | {m.lines:,} | {m.total_seconds} | "
            f"{m.events_per_second:,.0f} | {m.peak_rss_gib} | {m.floor_seconds} | {ratio} |"
        )
    if len(measurements) > 1:
        inc = measurements[1]
        lines += [
            "",
            f"Incremental day: {inc.total_seconds} s = "
            f"{inc.total_seconds / full.total_seconds:.1%} of the full build. Each run "
            "is timed in a fresh process, as `make run` or a run Dagster launches starts "
            f"one: the day's total includes its {inc.startup_seconds} s of start-up "
            "(Python, imports, definitions) before the job starts.",
            *(["", rederived] if rederived else []),
        ]
    if len(measurements) > 2:
        fixed = measurements[2].total_seconds
        lines += [
            "",
            f"The same build with no new data took {fixed} s: what every run pays, whatever "
            f"it lands. The day's data cost the other {inc.total_seconds - fixed:.2f} s.",
        ]
    if imports:
        listed = ", ".join(f"{name} {seconds} s" for name, seconds in imports.items())
        lines += ["", f"Imports alone, in a fresh process (measured apart): {listed}."]
    counts = ", ".join(f"{m.label} {m.dagster_events:,}" for m in measurements)
    lines += ["", f"Events each run recorded in the Dagster instance: {counts}."]
    lines += ["", "## Targets", "", *targets(measurements)]
    for m in measurements:
        lines += ["", f"## {m.label}: stages", "", "| stage | s | events/s | peak GiB |",
                  "|---|---:|---:|---:|"]  # fmt: skip
        lines.append(f"| start-up (imports, definitions) | {m.startup_seconds} | | |")
        for stage in m.stages:
            eps = f"{stage.events_per_second:,}" if stage.events_per_second else ""
            peak = stage.peak_rss_gib or ""
            lines.append(f"| {stage.name} | {stage.seconds} | {eps} | {peak} |")
        models = sorted(
            ((s, n) for n, s in m.dbt_nodes.items() if n.startswith("model.")), reverse=True
        )
        if models:
            lines += ["", f"Models by time ({m.label}; every node in report.json):", "",
                      "| model | s |", "|---|---:|"]  # fmt: skip
            lines += [f"| {name.removeprefix('model.')} | {seconds} |" for seconds, name in models]
    text = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(text)
    (out / "report.json").write_text(
        json.dumps(
            {
                "spec": {**asdict(spec), "start": spec.start.isoformat()},
                "imports_seconds": imports or {},
                "runs": [
                    {**asdict(m), "events_per_second": round(m.events_per_second),
                     "ratio_to_floor": m.ratio_to_floor and round(m.ratio_to_floor, 2)}
                    for m in measurements
                ],
            },
            indent=2,
        )
    )  # fmt: skip
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path, default=BENCH_DIR)
    # internal: one build in this (fresh) process, its measurement written to --out
    parser.add_argument("--one-build", metavar="LABEL", help=argparse.SUPPRESS)
    parser.add_argument("--floor", type=json.loads, help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_build:
        measured = measure_build(args.one_build, args.events, tuple(args.floor), args.spawned)
        args.out.write_text(json.dumps(asdict(measured)))
        return 0

    out: Path = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    raw, home = out / "raw", out / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home)
    os.environ.update(
        RAW_DATA_DIR=str(raw),
        WAREHOUSE_PATH=str(out / "warehouse.duckdb"),
        DAGSTER_HOME=str(home),
        GX_ROOT=str(out / "gx"),
    )
    # as `make run` does: the project parsed first (make manifest), so the build's own
    # parse is partial
    subprocess.run([sys.executable, "-m", "orchestration.cli", "parse"], check=True)
    spec = Spec(events=args.events, days=args.days)
    started = time.perf_counter()
    generate(spec, raw)
    print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f} s")

    measurements = [run_build("full build", spec.events, raw, measure_floor(raw))]
    print(f"full build: {measurements[0].total_seconds} s")

    # one more day at 1 % of the volume, then the same build again
    day = Spec(
        events=max(spec.events // 100, 1), days=1, seed=spec.seed + 1,
        start=spec.start + timedelta(days=spec.days),
        contacts=spec.n_contacts, products=spec.n_products,
    )  # fmt: skip
    day_raw = out / "raw_day"
    generate(day, day_raw, first_event=spec.events, progress=False)
    day_floor = measure_floor(day_raw)  # the new lines only
    for path in day_raw.rglob("*.jsonl"):
        target = raw / path.relative_to(day_raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    since = latest_load(out / "warehouse.duckdb")
    measurements.append(run_build("incremental day (+1 %)", day.events, raw, day_floor))
    rederived = rederived_share(out / "warehouse.duckdb", since)
    # the same build once more, nothing new landed: the fixed part of every run
    measurements.append(run_build("no new data", 0, raw, (0.0, 0)))
    print(report(measurements, spec, out, rederived, measure_imports()))
    print(f"report: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
