"""Squall starts this service itself (`target: { command: … }`, issue #9 item 8), drives it, sends
SIGTERM mid-run and checks no accepted task was lost.

The scenario names the command (this venv's python running app.py), its directory and environment;
Squall picks a loopback port (`PORT`), points `GROQ_BASE_URL` / `OPENAI_BASE_URL` / `SQUALL_LLM_URL`
at its own mock, waits for `/health`, runs the load, sends SIGTERM at `sigterm_at` (the service
drains: 503 to new submissions, running tasks finish) and stops it at the end. Every task the
service accepted must have been seen `complete` or `failed` (`shutdown.lost: 0`); the drain time is
SIGTERM → exit. Bounded: 4 s at 4 tasks/s, loopback only.

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

from test_app import HERE, SQUALL_BIN

pytestmark = pytest.mark.skipif(not SQUALL_BIN, reason="SQUALL_BIN is not set (the squall binary to test with)")

SCENARIO = """
name: example-launched
seed: 3
duration: 4s
load:
  rate: 4/s
  prompts: [{{ text: "What is the capital of France?" }}]
target:
  command: "{python} app.py"
  cwd: {here}
  env: {{ RETRY_BACKOFF_MULTIPLIER_S: "0.05", RETRY_BACKOFF_MAX_S: "0.2", DRAIN_TIMEOUT_S: "5", DRAIN_LINGER_S: "1",
         ADMISSION_CHECK_MS: "1", LLM_MODEL: llama-3.1-8b-instant }}
  sigterm_at: 3s
llm:
  reply: {{ tokens: 8 }}
  latency: {{ fixed: 100ms }}
expect:
  shutdown: {{ lost: 0, drain_time: "< 10s" }}
  service: {{ accept_p99: "< 1s" }}
"""


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def test_squall_starts_the_service_sigterms_it_and_loses_no_accepted_task(workdir: Path) -> None:
    scenario = workdir / "scenario.yaml"
    scenario.write_text(SCENARIO.format(python=sys.executable, here=json.dumps(str(HERE))))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROQ_", "OPENAI_", "REDIS_URL", "SQUALL_EXAMPLE"))}
    r = subprocess.run([SQUALL_BIN, "run", str(scenario), "--mode", "live", "--out", str(workdir / "reports")],
                       capture_output=True, text=True, timeout=120, env=env)
    report = workdir / "reports" / "example-launched"
    assert r.returncode == 0, f"squall run exited {r.returncode}:\n{r.stdout}\n{r.stderr[-3000:]}"
    summary = json.loads((report / "summary.json").read_text())
    service = summary["service"]
    assert service["accepted"] >= 8 and service["lost"] == 0
    assert service["sigterm_at_seconds"] == 3 and 0 < service["drain_seconds"] < 10
    # Submissions after the SIGTERM were refused by the draining service: their own causes, never `permanent`.
    causes = {c["name"] for c in summary["failures_by_cause"]}
    assert causes <= {"submit_error", "submit_refused", "shutdown"}, causes
    assert "permanent" not in causes
    assert (report / "service.log").stat().st_size > 0
    assert service["command"].endswith("app.py")
    assert "Started by Squall:" in (report / "report.md").read_text()


def test_target_command_with_target_url_is_exit_2_naming_both(workdir: Path) -> None:
    scenario = workdir / "scenario.yaml"
    scenario.write_text(SCENARIO.format(python=sys.executable, here=json.dumps(str(HERE))))
    r = subprocess.run([SQUALL_BIN, "run", str(scenario), "--mode", "live", "--target-url", "http://127.0.0.1:9",
                        "--mock-port", "18599", "--out", str(workdir / "reports")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--target-url http://127.0.0.1:9" in r.stderr and "target.command" in r.stderr
