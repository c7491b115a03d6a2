"""`dagster dev` for real: webserver + daemon on a free loopback port, the asset graph
over GraphQL, two build runs launched together (queued one after the other), clean
shutdown."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_ROOT, SAMPLES, sample_line_counts

CONTRACT_TABLES = [
    "fact_product_events", "fact_site_events", "dim_products", "dim_products_history",
    "dim_contacts", "audit_raw_lines", "quarantine_events", "mart_funnel_daily",
    "mart_product_funnel", "mart_abandoned_carts",
]  # fmt: skip
SELECTOR = {
    "repositoryLocationName": "product_events_warehouse",
    "repositoryName": "__repository__",
    "jobName": "build_everything",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dagit:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/graphql"

    def query(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = json.loads(response.read())
        assert "errors" not in payload, payload
        return payload["data"]


@pytest.fixture
def dagster_dev(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home)
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw, ignore=shutil.ignore_patterns("*.py", "*.md"))
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "RAW_DATA_DIR": str(raw),
        "WAREHOUSE_PATH": str(warehouse),
        "GX_ROOT": str(tmp_path / "gx"),
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=(tmp_path / "dagster_dev.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    dagit = Dagit(port)
    deadline = time.monotonic() + 180
    while True:  # up, and the code location loaded (its assets visible)
        try:
            if dagit.query("{ assetNodes { id } }")["assetNodes"]:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "dagster_dev.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "dagster dev did not come up in 180 s"
        time.sleep(1)
    try:
        yield dagit, warehouse, raw
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert process.returncode is not None


def launch(dagit: Dagit) -> str:
    data = dagit.query(
        """
        mutation($selector: JobOrPipelineSelector!) {
          launchRun(executionParams: {selector: $selector}) {
            __typename
            ... on LaunchRunSuccess { run { runId } }
            ... on PythonError { message }
          }
        }""",
        {"selector": SELECTOR},
    )["launchRun"]
    assert data["__typename"] == "LaunchRunSuccess", data
    return data["run"]["runId"]


def status(dagit: Dagit, run_id: str) -> str:
    return dagit.query(
        "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id}
    )["runOrError"]["status"]


def test_dagster_dev_serves_the_graph_and_runs_two_builds_in_turn(dagster_dev) -> None:
    dagit, warehouse, raw = dagster_dev
    nodes = dagit.query("{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    for table in CONTRACT_TABLES:
        assert table in keys, table
    assert {keys[f"raw/{s}_lines"] for s in ("usercom", "esputnik", "insend")} == {"landing"}
    assert {"landing", "staging", "intermediate", "marts", "quality"} <= set(keys.values())

    runs = [launch(dagit), launch(dagit)]  # together: the second queues behind the first
    seen_both_started = False
    deadline = time.monotonic() + 900
    while True:
        states = [status(dagit, run) for run in runs]
        seen_both_started |= states.count("STARTED") == 2
        if all(s in ("SUCCESS", "FAILURE", "CANCELED") for s in states):
            break
        assert time.monotonic() < deadline, states
        time.sleep(2)
    assert states == ["SUCCESS", "SUCCESS"]
    assert not seen_both_started, "two runs wrote the warehouse at the same time"
    # the second run found the first one's published state: nothing new, so the steps
    # after the models' (which yields nothing) are skipped
    steps = dagit.query(
        "query($id: ID!) { runOrError(runId: $id) { ... on Run {"
        " stepStats { stepKey status } } } }",
        {"id": runs[1]},
    )["runOrError"]["stepStats"]
    assert {s["stepKey"]: s["status"] for s in steps}["published_warehouse"] == "SKIPPED", steps

    # let any sensor-launched run finish before reading the warehouse
    while dagit.query(
        "{ runsOrError(filter: {statuses: [QUEUED, STARTING, STARTED]}) { ... on Runs { count } } }"
    )["runsOrError"]["count"]:
        assert time.monotonic() < deadline
        time.sleep(2)
    expected = sum(sample_line_counts(raw).values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from audit_raw_lines").fetchall() == [(expected,)]
        landed = sum(
            con.execute(f"select count(*) from raw.{s}_lines").fetchall()[0][0]
            for s in ("usercom", "esputnik", "insend")
        )
    assert landed == expected  # every line once, however many runs landed
