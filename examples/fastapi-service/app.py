"""A small FastAPI task service of the kind teams write, used as Squall's worked example.

    POST /tasks        {"task": str, "idempotency_key": str?}  (or header Idempotency-Key)
                       -> 202 {"task_id", "status": "pending"}; a duplicate key -> 202, the same
                       task_id, header Idempotent-Replayed: true; the same key with another task -> 422
    GET  /tasks/{id}   -> {"task_id", "status", "result"?, "error"?, "attempts"}; unknown id -> 404
    GET  /health       -> 200 {"status": "ok"}, 503 {"status": "shutting_down"} while draining

Run: `python app.py` (PORT, HOST) or `uvicorn app:app --port 8000`. Settings: config.py / README.md.
Planted defects (SQUALL_EXAMPLE_DEFECTS): no_breaker, idempotency_race, blocking_worker,
ignore_retry_after.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import uuid
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from breaker import CircuitBreaker
from config import ConfigError, Settings
from llm import LLM, describe
from store import MemoryStore, RedisStore

log = logging.getLogger("tasks")

MAX_BODY = 64 * 1024
TERMINAL = ("complete", "failed")


class TaskIn(BaseModel):
    """The submission body; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    task: str = Field(min_length=1, max_length=32 * 1024)
    idempotency_key: Optional[str] = Field(default=None, min_length=1, max_length=255)


def error(status: int, message: str, field: Optional[str] = None, headers: Optional[dict] = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status, headers=headers)


def public(record: dict) -> dict:
    """The task document GET /tasks/{id} returns."""
    doc = {"task_id": record["task_id"], "status": record["status"], "attempts": record.get("attempts", 0)}
    for optional in ("result", "error"):
        if record.get(optional) is not None:
            doc[optional] = record[optional]
    return doc


class Service:
    """The task service's state: store, breaker, LLM client, worker pool, shutdown."""

    def __init__(self, settings: Settings):
        self.s = settings
        self.store: Any = None
        self.llm: Optional[LLM] = None
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=settings.queue_max)
        self.workers: list[asyncio.Task] = []
        self.unfinished: set[str] = set()   # accepted here, not yet terminal
        self.idle = asyncio.Event()
        self.idle.set()
        self.draining = False               # health 503, submissions 503
        self.closed = False                 # workers stopped; late tasks fail at once
        self.drained: Optional[asyncio.Task] = None

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        s = self.s
        if s.redis_url:
            self.store = RedisStore(s.redis_url, s.idempotency_ttl, s.redis_prefix)
            await self.store.ping()
        else:
            self.store = MemoryStore(s.idempotency_ttl)
        breaker = None if s.has("no_breaker") else CircuitBreaker(s.breaker_failures, s.breaker_window, s.breaker_recovery)
        self.llm = LLM(s, breaker)
        if s.base_url and s.base_url.rstrip("/").endswith("/v1"):
            log.warning("GROQ_BASE_URL=%s ends in /v1: the groq SDK appends /openai/v1/chat/completions "
                        "itself, so the base URL should be the server root", s.base_url)
        self.workers = [asyncio.create_task(self._worker(), name=f"worker-{i}") for i in range(s.workers)]
        log.info("task service: model=%s llm=%s store=%s defects=%s", s.model, s.base_url or "(groq default)",
                 "redis" if s.redis_url else "memory", ",".join(sorted(s.defects)) or "none")

    def drain(self) -> asyncio.Task:
        """Starts (once) the graceful shutdown; returns the task that finishes it."""
        self.draining = True
        if self.drained is None:
            self.drained = asyncio.get_running_loop().create_task(self._drain())
        return self.drained

    async def _drain(self) -> None:
        log.warning("draining: %d task(s) unfinished, up to %.1fs", len(self.unfinished), self.s.drain_timeout)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.idle.wait(), timeout=self.s.drain_timeout)
        self.closed = True
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)
        left = list(self.unfinished)
        for task_id in left:
            await self._finish(task_id, error="shutdown: the service stopped before the task finished")
        log.warning("drained: %d task(s) marked failed by shutdown", len(left))

    async def stop(self) -> None:
        await self.drain()
        if self.llm is not None:
            await self.llm.close()
        if self.store is not None:
            await self.store.close()

    # ---- submission ---------------------------------------------------------------------------

    async def submit(self, request: Request) -> JSONResponse:
        if self.draining:
            return error(503, "shutting down", headers={"Retry-After": "5"})
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return error(413, f"body larger than {MAX_BODY} bytes", field="body")
        try:
            body = TaskIn.model_validate(json.loads(raw))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error(400, f"body is not valid JSON: {exc}", field="body")
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "body"
            message = "must be a JSON object" if field == "body" else first["msg"]
            return error(422, f"{field}: {message}", field=field)
        key = body.idempotency_key
        header_key = request.headers.get("idempotency-key")
        if header_key is not None:
            if not 1 <= len(header_key) <= 255:
                return error(422, "Idempotency-Key: must be 1 to 255 characters", field="Idempotency-Key")
            if key is not None and key != header_key:
                return error(422, "idempotency_key differs from the Idempotency-Key header", field="idempotency_key")
            key = header_key
        if key is None:
            return await self._accept_new(body.task)
        if self.s.has("idempotency_race"):
            return await self._submit_check_then_insert(key, body.task)
        return await self._submit_claim(key, body.task)

    @staticmethod
    def _claim_value(task_id: str, task: str) -> str:
        return json.dumps({"task_id": task_id, "sha256": hashlib.sha256(task.encode()).hexdigest()})

    async def _replay(self, held: str, task: str) -> JSONResponse:
        claimed = json.loads(held)
        if claimed["sha256"] != hashlib.sha256(task.encode()).hexdigest():
            return error(422, "idempotency key already used with a different task", field="idempotency_key")
        record = await self.store.get_task(claimed["task_id"])
        status = record["status"] if record else "pending"
        return JSONResponse({"task_id": claimed["task_id"], "status": status}, status_code=202,
                            headers={"Idempotent-Replayed": "true"})

    async def _admission_check(self) -> None:
        """Stands in for the awaited pre-accept lookup a real service makes (tenant quota, auth,
        moderation): ADMISSION_CHECK_MS of waiting on I/O, during which other requests run."""
        await asyncio.sleep(self.s.admission_delay)

    async def _submit_claim(self, key: str, task: str) -> JSONResponse:
        """Correct: one atomic claim (SET NX PX); the loser of a concurrent pair replays the winner."""
        task_id = new_task_id()
        await self.store.put_task({"task_id": task_id, "status": "pending", "attempts": 0})
        held = await self.store.claim(key, self._claim_value(task_id, task))
        if held is not None:
            await self.store.delete_task(task_id)
            return await self._replay(held, task)
        await self._admission_check()
        return await self._enqueue(task_id, task, key)

    async def _submit_check_then_insert(self, key: str, task: str) -> JSONResponse:
        """The `idempotency_race` defect: look the key up, await, then write it. Two duplicates
        arriving within the await both find no key, both get a task and both reach the LLM."""
        held = await self.store.get_key(key)
        if held is not None:
            return await self._replay(held, task)
        await self._admission_check()
        task_id = new_task_id()
        await self.store.put_task({"task_id": task_id, "status": "pending", "attempts": 0})
        await self.store.set_key(key, self._claim_value(task_id, task))
        return await self._enqueue(task_id, task, key)

    async def _accept_new(self, task: str) -> JSONResponse:
        task_id = new_task_id()
        await self.store.put_task({"task_id": task_id, "status": "pending", "attempts": 0})
        await self._admission_check()
        return await self._enqueue(task_id, task, None)

    async def _enqueue(self, task_id: str, task: str, key: Optional[str]) -> JSONResponse:
        try:
            if self.closed:
                raise asyncio.QueueFull
            self.queue.put_nowait((task_id, task))
        except asyncio.QueueFull:
            await self.store.delete_task(task_id)
            if key is not None:
                await self.store.release(key, self._claim_value(task_id, task))
            if self.closed:
                return error(503, "shutting down", headers={"Retry-After": "5"})
            return error(429, "task queue is full", headers={"Retry-After": "1"})
        self.unfinished.add(task_id)
        self.idle.clear()
        return JSONResponse({"task_id": task_id, "status": "pending"}, status_code=202)

    # ---- execution ----------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            task_id, task = await self.queue.get()
            try:
                await self._run(task_id, task)
            finally:
                self.queue.task_done()

    async def _run(self, task_id: str, task: str) -> None:
        record = {"task_id": task_id, "status": "running", "attempts": 0}
        await self.store.put_task(record)
        assert self.llm is not None
        try:
            if self.s.has("blocking_worker"):
                # The defect: synchronous SDK call and time.sleep straight inside `async def`.
                def count(n: int) -> None:
                    record["attempts"] = n
                result = self.llm.complete_blocking(task, count)
            else:
                async def progress(n: int) -> None:
                    record["attempts"] = n
                    await self.store.put_task(record)
                result = await self.llm.complete(task, progress)
        except asyncio.CancelledError:
            await asyncio.shield(self.store.put_task(record))  # attempts so far; _drain fails it
            raise
        except Exception as exc:  # noqa: BLE001 - every failure ends the task, with its reason
            log.info("task %s failed after %d attempt(s): %s", task_id, record["attempts"], describe(exc))
            await self._finish(task_id, error=describe(exc), attempts=record["attempts"])
            return
        await self._finish(task_id, result=result, attempts=record["attempts"])

    async def _finish(self, task_id: str, *, result: Optional[str] = None, error: Optional[str] = None,
                      attempts: Optional[int] = None) -> None:
        record = await self.store.get_task(task_id) or {"task_id": task_id, "attempts": 0}
        if attempts is not None:
            record["attempts"] = attempts
        record["status"] = "failed" if error is not None else "complete"
        record["result"], record["error"] = result, error
        await self.store.put_task(record)
        self.unfinished.discard(task_id)
        if not self.unfinished:
            self.idle.set()


def new_task_id() -> str:
    return "t_" + uuid.uuid4().hex


def install_sigterm_drain(service: Service) -> None:
    """SIGTERM starts the drain (health 503 at once), and only after it hands the signal to the
    server (uvicorn's handler), which then closes connections and exits. A second SIGTERM goes
    straight to the server. Only possible from the main thread (uvicorn runs lifespan there)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)

    def hand_over() -> None:
        if callable(previous):
            previous(signal.SIGTERM, None)
        else:
            signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)

    async def drain_then_exit() -> None:
        await service.drain()
        await asyncio.sleep(service.s.drain_linger)  # let pollers read the final states
        hand_over()

    def on_sigterm(signum: int, frame: Any) -> None:
        if service.draining:
            hand_over()
            return
        service.draining = True
        loop.call_soon_threadsafe(lambda: loop.create_task(drain_then_exit()))

    signal.signal(signal.SIGTERM, on_sigterm)


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    settings = settings or Settings.from_env()
    service = Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await service.start()
        install_sigterm_drain(service)
        yield
        await service.stop()

    app = FastAPI(title="squall example task service", lifespan=lifespan)
    app.state.service = service

    @app.post("/tasks")
    async def submit(request: Request) -> JSONResponse:
        return await service.submit(request)

    @app.get("/tasks/{task_id}")
    async def get_task(task_id: str) -> JSONResponse:
        record = await service.store.get_task(task_id)
        if record is None:
            return JSONResponse({"error": "unknown task_id", "task_id": task_id}, status_code=404)
        return JSONResponse(public(record))

    @app.get("/health")
    async def health() -> JSONResponse:
        if service.draining:
            return JSONResponse({"status": "shutting_down"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app


logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per LLM request is too chatty
try:
    app = create_app()
except ConfigError as exc:
    print(f"error: {exc}", file=sys.stderr)
    raise SystemExit(2)

if __name__ == "__main__":
    import uvicorn

    s = app.state.service.s
    uvicorn.run(app, host=s.host, port=s.port, log_level="warning")
