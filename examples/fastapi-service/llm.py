"""The LLM call: the official groq SDK with its own retries off, tenacity owning retries, the
circuit breaker around every attempt.

Retry policy: `RETRY_ATTEMPTS` attempts in all; between them full-jitter exponential backoff
(tenacity's `wait_random_exponential`); rate limits (429), 408, 5xx, timeouts, connection errors
and malformed 200 bodies are retried, other 4xx are not; an `x-should-retry` header from the
provider overrides that; a 429's `retry-after-ms` / `retry-after` is honoured (the wait is at least
what the provider asked for), and one asking for more than `RETRY_AFTER_MAX_S` is not retried.

Defects planted here (see README.md):
- `ignore_retry_after`: the wait is the backoff schedule alone, whatever the 429 said.
- `blocking_worker`: `complete_blocking` uses the synchronous SDK and `time.sleep` — it is called
  straight from an `async def` worker, so the event loop stands still for the call and the sleeps.
"""
from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from typing import Awaitable, Callable, Optional

import groq
import httpx
from tenacity import (AsyncRetrying, RetryCallState, Retrying, before_sleep_log, retry_if_exception,
                      stop_after_attempt, wait_random_exponential)
from tenacity.wait import wait_base

from breaker import CircuitBreaker, CircuitOpenError
from config import Settings

log = logging.getLogger("tasks.llm")


def retry_after_seconds(exc: BaseException) -> Optional[float]:
    """The delay a provider asked for on an error response, as the SDKs read it: `retry-after-ms`,
    then `retry-after` in (possibly fractional) seconds, then `retry-after` as an HTTP-date."""
    if not isinstance(exc, groq.APIStatusError):
        return None
    headers = exc.response.headers
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_provider_failure(exc: BaseException) -> bool:
    """A failure that says the provider is unwell: counted by the breaker, retried by default."""
    if isinstance(exc, groq.APIStatusError):
        return exc.status_code in (408, 429) or exc.status_code >= 500
    # APITimeoutError is an APIConnectionError; a 200 whose JSON is cut or empty surfaces from the
    # SDK as a bare json.JSONDecodeError.
    return isinstance(exc, (groq.APIConnectionError, json.JSONDecodeError))


class wait_retry_after(wait_base):
    """Waits `backoff`, or what the provider's Retry-After asked for when that is longer."""

    def __init__(self, backoff: wait_base):
        self.backoff = backoff

    def __call__(self, retry_state: RetryCallState) -> float:
        backoff = self.backoff(retry_state)
        asked = retry_after_seconds(retry_state.outcome.exception()) if retry_state.outcome else None
        return backoff if asked is None else max(asked, backoff)


def describe(exc: BaseException) -> str:
    """A short, stable error text for the task document."""
    if isinstance(exc, CircuitOpenError):
        return f"circuit_open: {exc}"
    if isinstance(exc, groq.APITimeoutError):
        return "llm_timeout: no response within LLM_TIMEOUT_S"
    if isinstance(exc, groq.APIStatusError):
        return f"llm_http_{exc.status_code}: {type(exc).__name__}"
    if isinstance(exc, groq.APIConnectionError):
        return f"llm_connection: {exc.__cause__ or exc}"
    if isinstance(exc, json.JSONDecodeError):
        return f"llm_malformed: {exc}"
    return f"internal: {type(exc).__name__}: {exc}"


class LLM:
    """One per process: the SDK client(s), the breaker (None with `no_breaker`) and the retry policy."""

    def __init__(self, settings: Settings, breaker: Optional[CircuitBreaker]):
        self.s = settings
        self.breaker = breaker
        timeout = httpx.Timeout(settings.llm_timeout, connect=min(5.0, settings.llm_timeout))
        common = dict(base_url=settings.base_url, api_key=settings.api_key, max_retries=0, timeout=timeout)
        self.client = groq.AsyncGroq(**common)
        self.sync_client = groq.Groq(**common) if settings.has("blocking_worker") else None
        backoff = wait_random_exponential(multiplier=settings.backoff_multiplier,
                                          min=settings.backoff_min, max=settings.backoff_max)
        self.wait = backoff if settings.has("ignore_retry_after") else wait_retry_after(backoff)

    def _should_retry(self, exc: BaseException) -> bool:
        if isinstance(exc, groq.APIStatusError):
            verdict = exc.response.headers.get("x-should-retry")
            if verdict in ("true", "false"):
                return verdict == "true"
        if not is_provider_failure(exc):
            return False
        if not self.s.has("ignore_retry_after"):
            asked = retry_after_seconds(exc)
            if asked is not None and asked > self.s.retry_after_max:
                log.warning("not retrying: the provider asked for %.1fs (> RETRY_AFTER_MAX_S)", asked)
                return False
        return True

    def _policy(self) -> dict:
        return dict(stop=stop_after_attempt(self.s.attempts), wait=self.wait,
                    retry=retry_if_exception(self._should_retry), reraise=True,
                    before_sleep=before_sleep_log(log, logging.WARNING))

    def _request(self, text: str) -> dict:
        # The user's text goes to the model as is (Squall's attribution marker included).
        return dict(model=self.s.model, messages=[{"role": "user", "content": text}],
                    max_tokens=self.s.max_tokens)

    def _admit(self) -> None:
        if self.breaker is not None:
            self.breaker.before_call()

    def _settle(self, exc: Optional[BaseException]) -> None:
        if self.breaker is None:
            return
        if exc is None or not is_provider_failure(exc):
            self.breaker.on_success()  # the provider answered (a 400 is our fault, not its)
        else:
            self.breaker.on_failure()

    async def complete(self, text: str, on_attempt: Callable[[int], Awaitable[None]]) -> str:
        """Runs the task's LLM call with retries; returns the reply text or raises the last error."""
        attempts = 0
        async for attempt in AsyncRetrying(**self._policy()):
            with attempt:
                self._admit()
                attempts += 1
                await on_attempt(attempts)
                try:
                    reply = await self.client.chat.completions.create(**self._request(text))
                except asyncio.CancelledError:
                    if self.breaker is not None:
                        self.breaker.on_abandon()
                    raise
                except Exception as exc:
                    self._settle(exc)
                    raise
                self._settle(None)
                return reply.choices[0].message.content or ""
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    def complete_blocking(self, text: str, on_attempt: Callable[[int], None]) -> str:
        """The `blocking_worker` defect: the same policy with the synchronous SDK and time.sleep."""
        assert self.sync_client is not None
        attempts = 0
        for attempt in Retrying(sleep=time.sleep, **self._policy()):
            with attempt:
                self._admit()
                attempts += 1
                on_attempt(attempts)
                try:
                    reply = self.sync_client.chat.completions.create(**self._request(text))
                except Exception as exc:
                    self._settle(exc)
                    raise
                self._settle(None)
                return reply.choices[0].message.content or ""
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    async def close(self) -> None:
        await self.client.close()
        if self.sync_client is not None:
            self.sync_client.close()
