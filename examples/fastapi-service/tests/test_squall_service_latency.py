"""A blocked event loop is named by Squall's service-latency expectations (issue #9 item 7).

`squall run --mode live --target-url` times every submission (send → 202), every poll and a
`/health` sample every 250 ms through the service's API. With the `blocking_worker` defect the
service runs the synchronous SDK inside `async def`, so each 400 ms LLM call blocks the event loop:
submissions and health checks wait behind it, `service.accept_p99` and `service.health_max` fail
naming the figure, and Squall exits 1. The same run without the defect passes.

Bounded: 3 s of arrivals at 5 tasks/s (15 tasks), loopback only, Squall's in-process mock on a fixed port.

Run (in examples/fastapi-service):  SQUALL_BIN=../../.build/debug/squall .venv/bin/python -m pytest -q tests
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from test_app import BASE_ENV, HERE, SQUALL_BIN, Service, free_port, stop_services

pytestmark = pytest.mark.skipif(not SQUALL_BIN, reason="SQUALL_BIN is not set (the squall binary to test with)")

SCENARIO = """
name: example-service-latency
seed: 5
duration: 3s
load:
  rate: 5/s
  prompts: [{ text: "What is the capital of France?" }]
llm:
  reply: { tokens: 8 }
  latency: { fixed: 400ms }
expect:
  success_rate: ">= 99%"
  service: { accept_p99: "< 300ms", health_max: "< 1s" }
"""


def start_service(mock_port: int, defects: str) -> Service:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROQ_", "OPENAI_", "REDIS_URL", "SQUALL_EXAMPLE"))}
    env.update(BASE_ENV)
    env.update({"GROQ_BASE_URL": f"http://127.0.0.1:{mock_port}", "PORT": str(port),
                "LLM_MODEL": "llama-3.1-8b-instant", "SQUALL_EXAMPLE_DEFECTS": defects,
                "ADMISSION_CHECK_MS": "1"})  # the awaited pre-accept check, 100 ms in BASE_ENV
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return Service(proc, port, log.name).ready()


def run_against(out: Path, defects: str) -> tuple[int, dict, str]:
    """Runs the scenario against the service with `defects`; returns the exit code, summary.json and report.md."""
    mock_port = free_port()
    svc = start_service(mock_port, defects)
    scenario = out / "scenario.yaml"
    scenario.write_text(SCENARIO)
    try:
        r = subprocess.run([SQUALL_BIN, "run", str(scenario), "--mode", "live", "--out", str(out / "reports"),
                            "--target-url", svc.url, "--mock-port", str(mock_port)],
                           capture_output=True, text=True, timeout=120)
    finally:
        stop_services([svc])
    assert r.returncode in (0, 1), f"squall run exited {r.returncode}:\n{r.stdout}\n{r.stderr[-3000:]}"
    report = out / "reports" / "example-service-latency"
    return r.returncode, json.loads((report / "summary.json").read_text()), (report / "report.md").read_text()


def verdicts(summary: dict) -> dict:
    return {v["name"]: v for v in summary["expectations"]}


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def test_a_blocked_event_loop_fails_the_service_latency_expectations(workdir: Path) -> None:
    code, summary, report = run_against(workdir, "blocking_worker")
    v = verdicts(summary)
    assert code == 1
    for name in ("service.accept_p99", "service.health_max"):
        assert v[name]["status"] == "fail", v[name]
        assert v[name]["measured_from"] == "service API" and v[name]["observations"] > 0
    latency = summary["service_latency"]
    # The figures name the stall: health checks waited behind blocking LLM calls of 400 ms each.
    assert latency["health"]["max"] >= 1.0 and latency["accept"]["p99"] >= 0.3
    assert "## Service latency" in report and "Measured from: service API" in report


def test_the_same_service_without_the_defect_passes_them(workdir: Path) -> None:
    code, summary, report = run_against(workdir, "")
    v = verdicts(summary)
    assert code == 0, [x for x in summary["expectations"] if x["status"] != "pass"]
    assert v["service.accept_p99"]["observations"] == summary["totals"]["tasks"]
    assert v["service.health_max"]["observations"] > 0
    assert "## Service latency" in report
