"""`squall load --target tasks --target-file`: a task service with another contract, over loopback.

The service here is a stdlib HTTP server speaking a contract unlike the reference one: `PUT /jobs`
with the idempotency key in `X-Request-Key` and the body `{"job": {"input": …}}` → `201 {"job":
{"id", "state": "QUEUED"}}`, `GET /jobs/{id}` → `RUNNING` then `DONE` (or a state outside the
contract). A key seen before gets the same job id and no header, so Squall must recognise the
duplicate by the id. Bounded: 40 tasks at 40/s, polls every 50 ms, loopback only.

Run:  SQUALL_BIN=.build/debug/squall .venv/bin/python -m pytest -q Tests/Python/test_task_contract.py
"""
import json
import os
import re
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

SQUALL_BIN = os.environ.get("SQUALL_BIN")
pytestmark = pytest.mark.skipif(not SQUALL_BIN, reason="SQUALL_BIN is not set (the squall binary to test with)")

CONTRACT = """
target:
  submit: { method: PUT, path: /jobs, body: { job: { input: "{task}" } }, key_header: X-Request-Key }
  id: job.id
  status: job.state
  success: [DONE]
  failure: [ERROR]
  pending: [QUEUED, RUNNING]
  poll: "/jobs/{id}"
  replayed_header: ~
"""


class JobServer:
    """The job service; `final_state` is what a job reports once done."""

    def __init__(self, final_state: str = "DONE"):
        self.final_state = final_state
        self.lock = threading.Lock()
        self.jobs: dict[str, str] = {}      # key -> job id
        self.polls: dict[str, int] = {}     # job id -> polls answered
        self.methods: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def reply(self, status: int, doc: dict) -> None:
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("X-Request-Key")
                with outer.lock:
                    outer.methods.append("PUT " + self.path)
                    if self.path != "/jobs" or not key or not isinstance(body.get("job", {}).get("input"), str):
                        return self.reply(400, {"error": "bad job"})
                    job = outer.jobs.setdefault(key, f"j{len(outer.jobs) + 1}")
                self.reply(201, {"job": {"id": job, "state": "QUEUED"}})

            def do_POST(self) -> None:
                with outer.lock:
                    outer.methods.append("POST " + self.path)
                self.reply(404, {"error": "no such route"})

            def do_GET(self) -> None:
                if self.path == "/health":
                    return self.reply(200, {"ok": True})
                match = re.fullmatch(r"/jobs/(j\d+)", self.path)
                if not match:
                    return self.reply(404, {"error": "unknown"})
                with outer.lock:
                    n = outer.polls[match.group(1)] = outer.polls.get(match.group(1), 0) + 1
                self.reply(200, {"job": {"id": match.group(1), "state": "RUNNING" if n < 2 else outer.final_state}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def load(server: JobServer, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SQUALL_BIN, "load", "--target", "tasks", "--url", server.url, "--rate", "40/s", "--tasks", "40",
         "--poll-interval", "50ms", "--duplicates", "50%", "--no-preflight", *flags],
        capture_output=True, text=True, timeout=60)


def outcome(stdout: str, name: str) -> int:
    match = re.search(rf"\b{name} (\d+)", stdout.split("outcomes:", 1)[1].splitlines()[0])
    return int(match.group(1)) if match else 0


def test_a_service_with_another_contract_is_driven_by_the_target_file(workdir: Path) -> None:
    contract = workdir / "contract.yaml"
    contract.write_text(CONTRACT)
    server = JobServer()
    try:
        r = load(server, "--target-file", str(contract), "--expect", "success_rate>=99%", "--expect", "accept_p99<5s")
    finally:
        server.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert server.methods and all(m == "PUT /jobs" for m in server.methods), server.methods[:5]
    # Every original succeeded; duplicates given the original's job id after it finished were deduplicated.
    assert outcome(r.stdout, "succeeded") >= 40 and outcome(r.stdout, "failed") == 0
    assert outcome(r.stdout, "replayed") >= 1, r.stdout
    assert "service accept latency (real): n " in r.stdout


def test_the_reference_contract_fails_against_it_as_submit_errors(workdir: Path) -> None:
    server = JobServer()
    try:
        r = load(server, "--expect", "success_rate>=99%")
    finally:
        server.close()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "submit_error" in r.stdout and "FAIL success_rate>=99%" in r.stdout


def test_a_state_outside_the_contract_is_counted_under_contract_status(workdir: Path) -> None:
    contract = workdir / "contract.yaml"
    contract.write_text(CONTRACT)
    server = JobServer(final_state="EXPLODED")
    try:
        r = load(server, "--target-file", str(contract))
    finally:
        server.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "contract_status" in r.stdout and outcome(r.stdout, "succeeded") == 0


def test_a_bad_target_file_is_exit_2_naming_line_column_and_field(workdir: Path) -> None:
    contract = workdir / "contract.yaml"
    contract.write_text("target:\n  submit: { methd: PUT }\n")
    r = subprocess.run([SQUALL_BIN, "load", "--target", "tasks", "--url", "http://127.0.0.1:9", "--rate", "1/s",
                        "--tasks", "1", "--target-file", str(contract)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "contract.yaml:2:13" in r.stderr and "methd" in r.stderr and "method" in r.stderr, r.stderr
