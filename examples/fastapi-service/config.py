"""Settings of the example task service, read once from the environment.

Every knob has a default that works against `squall mock` on 127.0.0.1:8080; a bad value stops the
service at start-up with a message naming the variable and what would be valid.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

KNOWN_DEFECTS = frozenset({"no_breaker", "idempotency_race", "blocking_worker", "ignore_retry_after"})


class ConfigError(ValueError):
    """A bad environment variable: the message names it and says what would be valid."""


def _float(env: dict[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a number of seconds (e.g. {default})") from None
    if not value >= minimum:
        raise ConfigError(f"{name}={raw!r}: must be >= {minimum}")
    return value


def _int(env: dict[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number (e.g. {default})") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r}: must be >= {minimum}")
    return value


def _defects(env: dict[str, str]) -> frozenset[str]:
    raw = env.get("SQUALL_EXAMPLE_DEFECTS", "")
    names = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = names - KNOWN_DEFECTS
    if unknown:
        raise ConfigError(
            f"SQUALL_EXAMPLE_DEFECTS: unknown defect {', '.join(sorted(unknown))}; "
            f"valid: {', '.join(sorted(KNOWN_DEFECTS))}"
        )
    return frozenset(names)


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment (see README.md for the table)."""

    host: str = "127.0.0.1"
    port: int = 8000
    # LLM. The groq SDK appends /openai/v1/chat/completions to its base URL.
    base_url: str | None = None
    api_key: str = "squall-example-key"
    model: str = "llama-3.1-8b-instant"
    max_tokens: int = 512
    llm_timeout: float = 30.0
    # tenacity: attempts in all (first call included), full-jitter exponential backoff.
    attempts: int = 4
    backoff_multiplier: float = 0.5
    backoff_min: float = 0.0
    backoff_max: float = 10.0
    retry_after_max: float = 60.0
    # Circuit breaker: `failures` failures within `window` seconds open it for `recovery` seconds.
    breaker_failures: int = 5
    breaker_window: float = 30.0
    breaker_recovery: float = 15.0
    # Idempotency and task records.
    redis_url: str | None = None
    redis_prefix: str = "squall-example:"
    idempotency_ttl: float = 86400.0
    admission_delay: float = 0.025
    # Workers and shutdown.
    workers: int = 16
    queue_max: int = 1000
    drain_timeout: float = 20.0
    drain_linger: float = 1.0
    defects: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def from_env(env: dict[str, str] | None = None) -> "Settings":
        """Reads the settings from `env` (default: os.environ); raises ConfigError on a bad value."""
        env = dict(os.environ if env is None else env)
        base_url = env.get("GROQ_BASE_URL") or env.get("SQUALL_LLM_URL") or None
        backoff_min = _float(env, "RETRY_BACKOFF_MIN_S", 0.0)
        backoff_max = _float(env, "RETRY_BACKOFF_MAX_S", 10.0)
        if backoff_max < backoff_min:
            raise ConfigError(f"RETRY_BACKOFF_MAX_S={backoff_max} is below RETRY_BACKOFF_MIN_S={backoff_min}")
        return Settings(
            host=env.get("HOST", "127.0.0.1"),
            port=_int(env, "PORT", 8000, minimum=0),
            base_url=base_url.rstrip("/") if base_url else None,
            api_key=env.get("GROQ_API_KEY") or "squall-example-key",
            model=env.get("LLM_MODEL") or "llama-3.1-8b-instant",
            max_tokens=_int(env, "LLM_MAX_TOKENS", 512),
            llm_timeout=_float(env, "LLM_TIMEOUT_S", 30.0, minimum=0.001),
            attempts=_int(env, "RETRY_ATTEMPTS", 4),
            backoff_multiplier=_float(env, "RETRY_BACKOFF_MULTIPLIER_S", 0.5),
            backoff_min=backoff_min,
            backoff_max=backoff_max,
            retry_after_max=_float(env, "RETRY_AFTER_MAX_S", 60.0),
            breaker_failures=_int(env, "BREAKER_FAILURES", 5),
            breaker_window=_float(env, "BREAKER_WINDOW_S", 30.0, minimum=0.001),
            breaker_recovery=_float(env, "BREAKER_RECOVERY_S", 15.0, minimum=0.001),
            redis_url=env.get("REDIS_URL") or None,
            redis_prefix=env.get("REDIS_PREFIX", "squall-example:"),
            idempotency_ttl=_float(env, "IDEMPOTENCY_TTL_S", 86400.0, minimum=1.0),
            admission_delay=_float(env, "ADMISSION_CHECK_MS", 25.0) / 1000.0,
            workers=_int(env, "WORKERS", 16),
            queue_max=_int(env, "QUEUE_MAX", 1000),
            drain_timeout=_float(env, "DRAIN_TIMEOUT_S", 20.0),
            drain_linger=_float(env, "DRAIN_LINGER_S", 1.0),
            defects=_defects(env),
        )

    def has(self, defect: str) -> bool:
        """True when SQUALL_EXAMPLE_DEFECTS plants `defect`."""
        assert defect in KNOWN_DEFECTS, defect
        return defect in self.defects
