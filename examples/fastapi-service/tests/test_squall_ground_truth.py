"""Squall's LLM-side figures of a live run against this service equal the mock's own counts.

`squall run --mode live --target-url` drives the service; the service's groq SDK calls a mock Squall
owns, and every LLM-side figure of Squall's report (calls, completions, tokens) is read from that
mock's call log, attributed to the run by the tag appended to each submitted prompt. Here the mock
is an external `squall mock` (configured by Squall for the run with POST /_squall/run), so the test
can read the mock's own log afterwards and compare record by record; a second test uses Squall's
in-process mock on a fixed port (`--mock-port`).

Bounded: about 10 tasks at 4/s, every third LLM call failing with 503 (retried by the service's
tenacity policy), about 5 s per run.

Run (in examples/fastapi-service):  SQUALL_BIN=../../.build/debug/squall .venv/bin/python -m pytest -q tests
"""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from test_app import BASE_ENV, HERE, SQUALL_BIN, free_port, stop_services, Service

pytestmark = pytest.mark.skipif(not SQUALL_BIN, reason="SQUALL_BIN is not set (the squall binary to test with)")

SCENARIO = """
name: example-ground-truth
seed: 3
duration: 3s
load:
  rate: 4/s
  prompts: [{ text: "What is the capital of France?" }]
llm:
  reply: { tokens: 8 }
  faults:
    - { every_nth: 3, status: 503 }
expect:
  success_rate: ">= 99%"
"""


def start_mock() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([SQUALL_BIN, "mock", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    assert ready, "squall mock printed nothing within 20 s"
    match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
    assert match, "no URL in squall mock's first line"
    return proc, match.group(0)


def start_service(llm_url: str) -> Service:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROQ_", "OPENAI_", "REDIS_URL"))}
    env.update(BASE_ENV)
    env.update({"GROQ_BASE_URL": llm_url, "PORT": str(port), "LLM_MODEL": "llama-3.1-8b-instant"})
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return Service(proc, port, log.name).ready()


def squall_run(out: Path, *flags: str) -> dict:
    scenario = out / "scenario.yaml"
    scenario.write_text(SCENARIO)
    r = subprocess.run([SQUALL_BIN, "run", str(scenario), "--mode", "live", "--out", str(out / "reports"), *flags],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"squall run exited {r.returncode}:\n{r.stdout}\n{r.stderr[-3000:]}"
    assert "WARNING" not in r.stderr, r.stderr[-2000:]
    return json.loads((out / "reports" / "example-ground-truth" / "summary.json").read_text())


def mock_calls(url: str) -> dict:
    with urllib.request.urlopen(url + "/_squall/calls?after=0&limit=10000", timeout=5) as r:
        return json.load(r)


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def test_squalls_llm_figures_equal_the_external_mocks_own_log(workdir: Path) -> None:
    mock, mock_url = start_mock()
    svc = None
    try:
        svc = start_service(mock_url)
        summary = squall_run(workdir, "--target-url", svc.url, "--llm-url", mock_url)
        page = mock_calls(mock_url)
    finally:
        if svc:
            stop_services([svc])
        mock.terminate()
        mock.wait(timeout=10)
    records = page["records"]
    log, usage = summary["llm_log"], summary["usage"]
    tasks = summary["totals"]["tasks"]
    assert tasks >= 8 and summary["totals"]["succeeded"] == tasks
    # The mock was started for this run (its run id is the report's) and saw only this run.
    assert page["run"] == log["run"] and page["dropped"] == 0
    assert {r["run"] for r in records} == {log["run"]}
    # Squall's figures are the mock's own counts, exactly.
    assert usage["llm_calls"] == len(records) == log["counted"] == log["attributed"]
    assert usage["executions"] == sum(r["completed"] for r in records)
    assert usage["prompt_tokens"] == sum(r["prompt_tokens"] for r in records if r["completed"])
    assert usage["completion_tokens"] == sum(r["completion_tokens"] for r in records if r["completed"])
    # Every call was attributed to one of the run's keys: each key's calls are 503s, then one 200.
    per_key: dict = {}
    for r in records:
        per_key.setdefault(r["key"], []).append(r["status"])
    assert len(per_key) == tasks
    assert all(s[-1] == 200 and set(s[:-1]) <= {503} for s in per_key.values()), per_key
    assert usage["llm_calls"] > tasks  # the faults did fire


def test_squalls_in_process_mock_on_a_fixed_port_attributes_every_call(workdir: Path) -> None:
    port = free_port()
    svc = start_service(f"http://127.0.0.1:{port}")
    try:
        summary = squall_run(workdir, "--target-url", svc.url, "--mock-port", str(port))
    finally:
        stop_services([svc])
    log, usage = summary["llm_log"], summary["usage"]
    tasks = summary["totals"]["tasks"]
    assert summary["totals"]["succeeded"] == tasks >= 8
    assert usage["llm_calls"] == log["counted"] == log["attributed"] > tasks
    assert usage["executions"] == tasks and log["dropped"] == 0 and log["untagged"] == 0
