"""The example task service against a real `squall mock`, over loopback.

Each test has its own service process (`python app.py` on a free loopback port), all of them started
at once when the module starts (Python start-up is most of a service's cost) and pointed at one
`squall mock` for the module. Each service uses its own model name and API key, so the
mock's per-model request counts (`GET /_squall/stats` → `by_model`) are that service's LLM calls,
and the profile's `first_k_per_key` rules (keyed by the API key when no idempotency key is sent)
count per service.

Run (in examples/fastapi-service):  SQUALL_BIN=../../.build/debug/squall .venv/bin/python -m pytest -q tests
Every wait is bounded; the only timing assertions are generous bounds on planted stalls (2 s against
a 5 s sleep) and "the retry came before / not before the Retry-After" (0.3 s vs 2 s).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Optional

import httpx
import pytest

HERE = Path(__file__).resolve().parents[1]
SQUALL_BIN = os.environ.get("SQUALL_BIN")

pytestmark = pytest.mark.skipif(
    not SQUALL_BIN,
    reason="SQUALL_BIN is not set: set it to the squall binary (e.g. .build/debug/squall) "
           "so the service can be tested against a real `squall mock`",
)

PROFILE = """
reply: { tokens: 8 }
faults:
  - { model: outage*, status: 503 }
  - { model: retry*, status: 503, first_k_per_key: 5 }
  - { model: recovers*, status: 503, first_k_per_key: 3 }
  - { model: ratelimit*, status: 429, retry_after: 2s, first_k_per_key: 1 }
  - { model: stall*, status: 429, retry_after: 5s, first_k_per_key: 1 }
  - { model: drain*, drop: hang, every_nth: 2 }
  - { model: drain*, latency: 1s }
"""

# Fast, bounded settings for every service under test; a test overrides what it is about.
BASE_ENV = {
    "RETRY_ATTEMPTS": "4",
    "RETRY_BACKOFF_MULTIPLIER_S": "0.05",
    "RETRY_BACKOFF_MAX_S": "0.2",
    "LLM_TIMEOUT_S": "10",
    "BREAKER_FAILURES": "100",
    "ADMISSION_CHECK_MS": "100",
    "DRAIN_TIMEOUT_S": "1",
    "DRAIN_LINGER_S": "0",
    "WORKERS": "4",
}


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.02, what: str = "condition"):
    """Polls `predicate` until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mock:
    def __init__(self, url: str):
        self.url = url

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url + "/_squall/stats", timeout=5) as r:
            return json.load(r)

    def calls(self, model: str) -> int:
        """Requests the mock received for `model` (every LLM call of the service using it)."""
        return self.stats()["by_model"].get(model, 0)


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    assert SQUALL_BIN is not None
    if not os.access(SQUALL_BIN, os.X_OK):
        pytest.fail(f"SQUALL_BIN={SQUALL_BIN} is not an executable file")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(PROFILE)
    proc = subprocess.Popen([SQUALL_BIN, "mock", "--host", "127.0.0.1", "--port", "0", "--profile", f.name],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "squall mock printed nothing within 20 s"
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, f"no URL in {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        yield Mock(match.group(0))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        os.unlink(f.name)


class Service:
    """One `python app.py` child process and an HTTP client for it."""

    def __init__(self, proc: subprocess.Popen, port: int, log_path: str):
        self.proc, self.port, self.log_path = proc, port, log_path
        self.url = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def ready(self, timeout: float = 30) -> "Service":
        """Waits (bounded) until /health answers 200; fails with the service's log if it exited."""
        if getattr(self, "_ready", False):
            return self

        def up() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"the service exited with {self.proc.returncode}:\n{self.log()}")
            try:
                return self.http.get("/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False
        wait_until(up, timeout, interval=0.05, what="the service's /health")
        self._ready = True
        return self

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")

    def submit(self, task: str, key: Optional[str] = None, header_key: Optional[str] = None,
               client: Optional[httpx.Client] = None, timeout: float = 10) -> httpx.Response:
        body: dict = {"task": task}
        if key is not None:
            body["idempotency_key"] = key
        headers = {"Idempotency-Key": header_key} if header_key is not None else {}
        return (client or self.http).post("/tasks", json=body, headers=headers, timeout=timeout)

    def accepted(self, task: str, **kw) -> str:
        r = self.submit(task, **kw)
        assert r.status_code == 202, r.text
        return r.json()["task_id"]

    def task(self, task_id: str) -> dict:
        r = self.http.get(f"/tasks/{task_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def finished(self, task_id: str, timeout: float = 10) -> dict:
        return wait_until(lambda: (doc := self.task(task_id))["status"] in ("complete", "failed") and doc,
                          timeout, what=f"task {task_id} to finish")


def start_service(mock: Mock, model: str, defects: str = "", **overrides: str) -> Service:
    """Spawns the service (not waiting for it: see Service.ready)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROQ_", "OPENAI_", "REDIS_URL"))}
    env.update(BASE_ENV)
    env.update({"GROQ_BASE_URL": mock.url, "PORT": str(port), "LLM_MODEL": model,
                "GROQ_API_KEY": f"key-{model}", "SQUALL_EXAMPLE_DEFECTS": defects})
    env.update(overrides)
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return Service(proc, port, log.name)


def stop_services(services: list[Service]) -> None:
    """SIGTERM to every service still running, then waits (bounded) for each; kills stragglers."""
    for svc in services:
        svc.http.close()
        if svc.proc.poll() is None:
            svc.proc.send_signal(signal.SIGTERM)
    for svc in services:
        try:
            svc.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            svc.proc.kill()
            svc.proc.wait(timeout=5)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(svc.log_path)


@contextlib.contextmanager
def service(mock: Mock, model: str, defects: str = "", **overrides: str) -> Iterator[Service]:
    svc = start_service(mock, model, defects, **overrides)
    try:
        yield svc.ready()
    finally:
        stop_services([svc])


# Each test's service, started all at once when the module starts (Python start-up is most of a
# service's cost); every one has its own model name, so its LLM calls are mock.calls(model).
BREAKER_ENV = {"RETRY_ATTEMPTS": "4", "BREAKER_FAILURES": "3", "BREAKER_WINDOW_S": "30", "BREAKER_RECOVERY_S": "60"}
FLEET = {
    "basic": dict(model="healthy-basic"),
    "retry": dict(model="retry-window", RETRY_ATTEMPTS="3"),
    "breaker": dict(model="recovers-breaker", **dict(BREAKER_ENV, BREAKER_RECOVERY_S="1")),
    "no_breaker": dict(model="outage-nobreaker", defects="no_breaker", **BREAKER_ENV),
    "honour": dict(model="ratelimit-honour"),
    "ignore": dict(model="ratelimit-ignore", defects="ignore_retry_after",
                   RETRY_BACKOFF_MULTIPLIER_S="0.1", RETRY_BACKOFF_MAX_S="0.3"),
    "stall_async": dict(model="stall-async"),
    "stall_blocking": dict(model="stall-blocking", defects="blocking_worker"),
    "drain": dict(model="drain-shutdown", DRAIN_TIMEOUT_S="2.5", DRAIN_LINGER_S="3"),
    "race": dict(model="healthy-race", defects="idempotency_race"),
}


class Fleet:
    def __init__(self, services: dict[str, Service]):
        self.services = services

    def __getitem__(self, name: str) -> Service:
        return self.services[name].ready()


@pytest.fixture(scope="module")
def fleet(mock: Mock) -> Iterator[Fleet]:
    services = {name: start_service(mock, **spec) for name, spec in FLEET.items()}
    try:
        yield Fleet(services)
    finally:
        stop_services(list(services.values()))


def concurrently(*calls: Callable[[], httpx.Response]) -> list:
    """Runs the calls on threads released by one barrier (connections opened beforehand by the caller)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def gap_between_first_two_calls(mock: Mock, model: str, timeout: float) -> float:
    """Seconds between the mock counting the first and the second request for `model` (polled
    every 10 ms, so each instant is seen up to ~10 ms late)."""
    first = wait_until(lambda: mock.calls(model) >= 1 and time.monotonic(), timeout, 0.01, "the first call")
    second = wait_until(lambda: mock.calls(model) >= 2 and time.monotonic(), timeout, 0.01, "the second call")
    return second - first


# ---- the API ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def basic(fleet: Fleet) -> Service:
    return fleet["basic"]


def test_task_is_accepted_and_completes(basic: Service, mock: Mock) -> None:
    before = mock.calls("healthy-basic")
    r = basic.submit("What is the capital of France? [sq:abc123]")
    assert r.status_code == 202
    assert r.json()["status"] == "pending" and r.json()["task_id"].startswith("t_")
    doc = basic.finished(r.json()["task_id"])
    assert doc["status"] == "complete", doc
    assert doc["attempts"] == 1 and doc["result"]
    assert "error" not in doc
    assert mock.calls("healthy-basic") == before + 1


def test_health_and_unknown_task(basic: Service) -> None:
    assert basic.http.get("/health").json() == {"status": "ok"}
    r = basic.http.get("/tasks/t_nope")
    assert r.status_code == 404 and r.json()["error"] == "unknown task_id"


@pytest.mark.parametrize("body,status,field", [
    (b'{"task": ', 400, "body"),
    (b'[1, 2]', 422, "body"),
    (b'{"prompt": "x"}', 422, "task"),
    (b'{"task": ""}', 422, "task"),
    (b'{"task": 42}', 422, "task"),
    (b'{"task": "x", "idempotency_key": ""}', 422, "idempotency_key"),
])
def test_bad_submissions_name_the_field(basic: Service, body: bytes, status: int, field: str) -> None:
    r = basic.http.post("/tasks", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert r.json()["field"] == field


def test_header_and_body_keys_must_agree(basic: Service) -> None:
    r = basic.submit("x", key="a", header_key="b")
    assert r.status_code == 422 and r.json()["field"] == "idempotency_key"


def test_duplicate_key_returns_the_same_task(basic: Service, mock: Mock) -> None:
    before = mock.calls("healthy-basic")
    first = basic.submit("Summarise the report.", key="dup-1")
    task_id = first.json()["task_id"]
    assert "idempotent-replayed" not in first.headers
    basic.finished(task_id)
    for kw in ({"key": "dup-1"}, {"header_key": "dup-1"}, {"key": "dup-1", "header_key": "dup-1"}):
        again = basic.submit("Summarise the report.", **kw)
        assert again.status_code == 202
        assert again.json() == {"task_id": task_id, "status": "complete"}
        assert again.headers["idempotent-replayed"] == "true"
    assert mock.calls("healthy-basic") == before + 1


def test_key_reused_with_another_task_is_422(basic: Service) -> None:
    basic.accepted("Translate this.", key="dup-2")
    r = basic.submit("Something else entirely.", key="dup-2")
    assert r.status_code == 422
    assert r.json()["field"] == "idempotency_key"


def submit_pair(svc: Service, task: str, key: str) -> list:
    """Two submissions with one key, on two already-open connections, released together."""
    clients = [httpx.Client(base_url=svc.url, timeout=10) for _ in range(2)]
    try:
        for c in clients:
            c.get("/health")
        results = concurrently(*(lambda c=c: svc.submit(task, key=key, client=c) for c in clients))
    finally:
        for c in clients:
            c.close()
    assert all(isinstance(r, httpx.Response) and r.status_code == 202 for r in results), results
    return results


def test_concurrent_duplicates_run_once(basic: Service, mock: Mock) -> None:
    before = mock.calls("healthy-basic")
    results = submit_pair(basic, "Plan the migration.", "dup-3")
    ids = {r.json()["task_id"] for r in results}
    assert len(ids) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in results) == 1
    basic.finished(ids.pop())
    assert mock.calls("healthy-basic") == before + 1


# ---- retries and the breaker -------------------------------------------------------------------
# retry-*: the first 5 calls get 503. recovers-*: the first 3. outage-*: every call.

def test_503s_are_retried_then_fail_when_attempts_run_out_then_succeed(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["retry"]  # RETRY_ATTEMPTS=3
    doc = svc.finished(svc.accepted("Hello"))
    assert doc["status"] == "failed" and doc["attempts"] == 3, doc
    assert doc["error"].startswith("llm_http_503"), doc
    assert mock.calls("retry-window") == 3
    doc = svc.finished(svc.accepted("Hello again"))  # calls 4 and 5 fail, the 6th succeeds
    assert doc["status"] == "complete" and doc["attempts"] == 3, doc
    assert mock.calls("retry-window") == 6


def test_breaker_opens_sheds_calls_and_a_probe_closes_it(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["breaker"]  # 3 failures in 30 s open it for 1 s; 4 attempts per task
    first = svc.finished(svc.accepted("first"))
    assert first["status"] == "failed" and first["attempts"] == 3, first
    assert first["error"].startswith("circuit_open"), first
    shed = []
    for i in range(40):  # bounded: one submission every 0.1 s, up to ~4 s
        doc = svc.finished(svc.accepted(f"probe {i}"))
        if doc["status"] == "complete":
            assert doc["attempts"] == 1, doc  # the half-open probe
            break
        shed.append(doc)
        time.sleep(0.1)
    else:
        pytest.fail("the breaker never closed")
    assert shed and all(d["attempts"] == 0 and d["error"].startswith("circuit_open") for d in shed), shed
    after = svc.finished(svc.accepted("after"))
    assert after["status"] == "complete" and after["attempts"] == 1, after
    # Without a breaker the first task alone would have made 4 calls and each shed task 4 more.
    assert mock.calls("recovers-breaker") == 3 + 1 + 1


def test_no_breaker_defect_keeps_calling_during_an_outage(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["no_breaker"]  # same breaker settings, but the breaker is bypassed
    docs = [svc.finished(svc.accepted(f"task {i}")) for i in range(4)]
    assert [d["attempts"] for d in docs] == [4, 4, 4, 4], docs
    assert all(d["error"].startswith("llm_http_503") for d in docs), docs
    assert mock.calls("outage-nobreaker") == 16


# ---- Retry-After ---------------------------------------------------------------------------------
# ratelimit-*: the first call gets 429 with retry-after: 2.

PLANNED = re.compile(r"Retrying .* in ([0-9.]+) seconds")


def test_retry_after_is_honoured(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["honour"]
    task_id = svc.accepted("Hello")
    gap = gap_between_first_two_calls(mock, "ratelimit-honour", 10)
    doc = svc.finished(task_id)
    assert doc["status"] == "complete" and doc["attempts"] == 2, doc
    planned = [float(s) for s in PLANNED.findall(svc.log())]
    assert planned and planned[0] >= 2.0, planned
    assert gap >= 2.0 - 0.05, f"retried {gap:.3f}s after a 429 that said retry-after: 2"


def test_ignore_retry_after_defect_retries_early(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["ignore"]  # backoff: U(0, 0.1), capped at 0.3 s
    task_id = svc.accepted("Hello")
    gap = gap_between_first_two_calls(mock, "ratelimit-ignore", 10)
    doc = svc.finished(task_id)
    assert doc["status"] == "complete" and doc["attempts"] == 2, doc
    planned = [float(s) for s in PLANNED.findall(svc.log())]
    assert planned and planned[0] <= 0.3, planned
    assert gap < 2.0, f"retried {gap:.3f}s after a 429 that said retry-after: 2 (expected early)"


# ---- the event loop -------------------------------------------------------------------------------
# stall-*: the first call gets 429 with retry-after: 5.

def probe_while_sleeping(svc: Service, mock: Mock, model: str) -> tuple:
    """Submits a task whose first call gets 429 retry-after 5 s, waits until that call was made,
    then probes /health and POST /tasks at once, each with a 2 s timeout."""
    with httpx.Client(base_url=svc.url, timeout=2) as a, httpx.Client(base_url=svc.url, timeout=2) as b:
        a.get("/health")  # open both connections before the stall
        b.get("/health")
        task_id = svc.accepted("Hello")
        wait_until(lambda: mock.calls(model) >= 1, 10, what="the first LLM call")
        time.sleep(0.3)  # the 429 reaches the service; it is now waiting out the 5 s
        started = time.monotonic()
        health, post = concurrently(lambda: a.get("/health"), lambda: svc.submit("x", client=b, timeout=2))
        return task_id, health, post, time.monotonic() - started


def test_async_worker_keeps_answering_while_a_task_waits(fleet: Fleet, mock: Mock) -> None:
    _, health, post, took = probe_while_sleeping(fleet["stall_async"], mock, "stall-async")
    assert isinstance(health, httpx.Response) and health.status_code == 200, health
    assert isinstance(post, httpx.Response) and post.status_code == 202, post
    assert took < 2.0


def test_blocking_worker_defect_stalls_the_event_loop(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["stall_blocking"]
    task_id, health, post, _ = probe_while_sleeping(svc, mock, "stall-blocking")
    # Neither answered within 2 s while the task slept (blocking) for 5 s ...
    assert isinstance(health, httpx.TimeoutException), health
    assert isinstance(post, httpx.TimeoutException), post
    # ... and the service is alive: once the sleep is over it answers and the task completes.
    doc = svc.finished(task_id, timeout=10)
    assert doc["status"] == "complete" and doc["attempts"] == 2, doc


# ---- shutdown ---------------------------------------------------------------------------------------

def test_sigterm_drains_then_fails_what_is_left(fleet: Fleet, mock: Mock) -> None:
    # drain-*: every 2nd call hangs, the others take 1 s. A is running (1 s) and B hanging at SIGTERM;
    # the drain lasts up to 2.5 s, then the final states stay readable for 3 s before the exit.
    svc = fleet["drain"]
    a = svc.accepted("A")
    wait_until(lambda: mock.calls("drain-shutdown") >= 1, 10, what="A's call")
    b = svc.accepted("B")
    wait_until(lambda: mock.calls("drain-shutdown") >= 2, 10, what="B's call")
    svc.proc.send_signal(signal.SIGTERM)
    wait_until(lambda: svc.http.get("/health").status_code == 503, 5, what="health 503")
    assert svc.submit("C").status_code == 503
    assert svc.finished(a, timeout=5)["status"] == "complete"
    doc_b = svc.finished(b, timeout=8)
    assert doc_b["status"] == "failed" and doc_b["error"].startswith("shutdown"), doc_b
    svc.proc.wait(timeout=15)  # it exits by itself after the drain
    assert "drained: 1 task(s) marked failed by shutdown" in svc.log()


# ---- the idempotency race defect ------------------------------------------------------------------

def test_idempotency_race_defect_runs_concurrent_duplicates_twice(fleet: Fleet, mock: Mock) -> None:
    svc = fleet["race"]
    ids = [r.json()["task_id"] for r in submit_pair(svc, "Plan the migration.", "race-1")]
    assert ids[0] != ids[1]
    for task_id in ids:
        assert svc.finished(task_id)["status"] == "complete"
    # A sequential duplicate is still replayed: the defect is only the check-then-insert window.
    again = svc.submit("Plan the migration.", key="race-1")
    assert again.headers.get("idempotent-replayed") == "true"
    assert mock.calls("healthy-race") == 2


# ---- Redis -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """SQUALL_TEST_REDIS_URL when set (scripts/test starts one), else a redis-server of our own."""
    if os.environ.get("SQUALL_TEST_REDIS_URL"):
        yield os.environ["SQUALL_TEST_REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed and SQUALL_TEST_REDIS_URL is not set")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def up() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return True
            except OSError:
                return False
        wait_until(up, 10, interval=0.05, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_redis_claims_survive_a_restart(mock: Mock, redis_url: str) -> None:
    import redis

    prefix = f"squall-example-test-{os.getpid()}-{time.time_ns()}:"  # reruns on one Redis stay apart
    with service(mock, "healthy-redis", REDIS_URL=redis_url, REDIS_PREFIX=prefix) as svc:
        results = submit_pair(svc, "Persist me.", "redis-1")
        ids = {r.json()["task_id"] for r in results}
        assert len(ids) == 1, results
        task_id = ids.pop()
        assert svc.finished(task_id)["status"] == "complete"
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        assert json.loads(r.get(f"{prefix}idem:redis-1"))["task_id"] == task_id
        assert 0 < r.pttl(f"{prefix}idem:redis-1") <= 86400 * 1000
    finally:
        r.close()
    with service(mock, "healthy-redis", REDIS_URL=redis_url, REDIS_PREFIX=prefix) as svc:
        again = svc.submit("Persist me.", key="redis-1")
        assert again.json() == {"task_id": task_id, "status": "complete"}
        assert again.headers["idempotent-replayed"] == "true"
    assert mock.calls("healthy-redis") == 1
