"""Official openai and groq SDKs against `squall mock` (a subprocess on a free loopback port).

Run: SQUALL_BIN=.build/debug/squall .venv/bin/python -m pytest -q Tests/Python
"""
import json
import os
import re
import select
import subprocess
import tempfile
import time
import urllib.request

import groq
import openai
import pytest

PROFILE = """
reply: { tokens: 8 }
faults:
  - { model: retry-then-ok*, attempt: 1, status: 429, retry_after_ms: 50 }
  - { model: always-429*, status: 429, retry_after_ms: 20 }
  - { model: always-500*, status: 500 }
  - { model: bad-request*, status: 400 }
  - { model: stream-error*, drop: stream_error, after_chunks: 1 }
  - { model: no-retry*, status: 503, should_retry: false }
"""

MESSAGES = [{"role": "user", "content": "Say something."}]


@pytest.fixture(scope="module")
def mock_url():
    binary = os.environ.get("SQUALL_BIN", ".build/debug/squall")
    if not os.path.exists(binary):
        pytest.skip(f"squall binary not found at {binary} (set SQUALL_BIN)")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(PROFILE)
        profile = f.name
    proc = subprocess.Popen(
        [binary, "mock", "--port", "0", "--profile", profile, "--seed", "7"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "squall mock printed nothing within 20 s"
        line = proc.stdout.readline()
        match = re.search(r"http://[0-9.]+:\d+", line)
        assert match, f"no URL in {line!r}"
        yield match.group(0)
    finally:
        proc.terminate()
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        os.unlink(profile)
    assert code == 0, f"squall mock exited {code} on SIGTERM: {proc.stderr.read()}"


def stats(url):
    with urllib.request.urlopen(url + "/_squall/stats", timeout=5) as r:
        return json.load(r)


def openai_client(url, retries=0):
    return openai.OpenAI(base_url=url + "/v1", api_key="test-key", max_retries=retries, timeout=10)


def groq_client(url, retries=0):
    return groq.Groq(base_url=url, api_key="test-key", max_retries=retries, timeout=10)


# --- normal and streamed completions parse -------------------------------------------------

def test_openai_completion_parses(mock_url):
    r = openai_client(mock_url).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert r.object == "chat.completion"
    assert r.model == "gpt-4o-mini"
    assert r.id.startswith("chatcmpl-")
    assert r.choices[0].message.role == "assistant"
    assert len(r.choices[0].message.content.split()) == 8
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.completion_tokens == 8
    assert r.usage.total_tokens == r.usage.prompt_tokens + 8


def test_openai_max_tokens_gives_finish_reason_length(mock_url):
    r = openai_client(mock_url).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=3)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 3


def test_openai_stream_parses_with_usage(mock_url):
    stream = openai_client(mock_url).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    text, usage, finish = "", None, None
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    assert len(text.split()) == 8
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens == 8


def test_groq_completion_parses(mock_url):
    r = groq_client(mock_url).chat.completions.create(model="llama-3.1-8b-instant", messages=MESSAGES)
    assert r.model == "llama-3.1-8b-instant"
    assert len(r.choices[0].message.content.split()) == 8
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_groq_stream_parses(mock_url):
    stream = groq_client(mock_url).chat.completions.create(
        model="llama-3.1-8b-instant", messages=MESSAGES, stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(text.split()) == 8
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].x_groq is not None and chunks[-1].x_groq.usage.completion_tokens == 8


def test_groq_models_list(mock_url):
    ids = [m.id for m in groq_client(mock_url).models.list().data]
    assert "llama-3.1-8b-instant" in ids


# --- 429 with retry-after-ms: retried, then success or RateLimitError ------------------------

@pytest.mark.parametrize("sdk", ["openai", "groq"])
def test_429_is_retried_then_succeeds(mock_url, sdk):
    model = f"retry-then-ok-{sdk}"
    client = openai_client(mock_url, retries=2) if sdk == "openai" else groq_client(mock_url, retries=2)
    r = client.chat.completions.create(model=model, messages=MESSAGES)
    assert r.choices[0].message.content
    s = stats(mock_url)
    assert s["by_model"][model] == 2  # the 429 and the successful retry


@pytest.mark.parametrize("sdk", ["openai", "groq"])
def test_always_429_raises_rate_limit_error_after_retries(mock_url, sdk):
    model = f"always-429-{sdk}"
    if sdk == "openai":
        with pytest.raises(openai.RateLimitError) as e:
            openai_client(mock_url, retries=2).chat.completions.create(model=model, messages=MESSAGES)
    else:
        with pytest.raises(groq.RateLimitError) as e:
            groq_client(mock_url, retries=2).chat.completions.create(model=model, messages=MESSAGES)
    assert e.value.status_code == 429
    assert e.value.response.headers["retry-after-ms"] == "20"
    assert stats(mock_url)["by_model"][model] == 3  # max_retries=2: three attempts


# --- 500 and 400 ----------------------------------------------------------------------------

def test_500_raises_internal_server_error(mock_url):
    with pytest.raises(openai.InternalServerError) as e:
        openai_client(mock_url).chat.completions.create(model="always-500-openai", messages=MESSAGES)
    assert e.value.status_code == 500
    with pytest.raises(groq.InternalServerError):
        groq_client(mock_url).chat.completions.create(model="always-500-groq", messages=MESSAGES)


def test_400_raises_bad_request_error(mock_url):
    with pytest.raises(openai.BadRequestError):
        openai_client(mock_url, retries=2).chat.completions.create(model="bad-request-openai", messages=MESSAGES)
    with pytest.raises(groq.BadRequestError):
        groq_client(mock_url, retries=2).chat.completions.create(model="bad-request-groq", messages=MESSAGES)
    # 400 is not retried.
    assert stats(mock_url)["by_model"]["bad-request-openai"] == 1


def test_invalid_body_is_a_bad_request_naming_the_field(mock_url):
    with pytest.raises(openai.BadRequestError) as e:
        openai_client(mock_url).chat.completions.create(model="gpt-4o-mini", messages="not a list")
    assert e.value.param == "messages" or "messages" in str(e.value)


def test_mid_stream_error_event_raises_api_error(mock_url):
    stream = openai_client(mock_url).chat.completions.create(
        model="stream-error-openai", messages=MESSAGES, stream=True)
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_x_should_retry_false_stops_the_sdk_retrying(mock_url):
    with pytest.raises(openai.InternalServerError) as e:
        openai_client(mock_url, retries=2).chat.completions.create(model="no-retry-openai", messages=MESSAGES)
    assert e.value.status_code == 503
    assert stats(mock_url)["by_model"]["no-retry-openai"] == 1  # one attempt despite max_retries=2


# --- attribution tags through the official SDKs ----------------------------------------------

TAG_RUN = "pyt" + "".join(__import__("random").choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(5))


def tag(key):
    """The SquallTag marker (docs/mock.md): ' [sq:RUN:KEY]' with KEY in base 36."""
    digits, s = "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while True:
        key, d = divmod(key, 36)
        s = digits[d] + s
        if key == 0:
            return f" [sq:{TAG_RUN}:{s}]"


def calls(url):
    records, cursor = [], 0
    while True:
        with urllib.request.urlopen(f"{url}/_squall/calls?after={cursor}&limit=10000", timeout=5) as r:
            page = json.load(r)
        records += page["records"]
        cursor = page["next"]
        if cursor == page["last"]:
            return records


@pytest.mark.parametrize("sdk,key", [("openai", 1295), ("groq", 46656)])
def test_tag_survives_the_sdk_and_attributes_each_attempt(mock_url, sdk, key):
    marker = tag(key)
    assert marker.isascii() and json.dumps(marker, ensure_ascii=True) == f'"{marker}"' and len(marker) <= 40
    model = f"retry-then-ok-tag-{sdk}"
    client = openai_client(mock_url, retries=2) if sdk == "openai" else groq_client(mock_url, retries=2)
    prompt = "What is the capital of France?"
    tagged = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt + marker}])
    plain = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
    # The marker is not counted and never echoed.
    assert tagged.usage.prompt_tokens == plain.usage.prompt_tokens
    assert "[sq:" not in tagged.model_dump_json()
    mine = [r for r in calls(mock_url) if r["run"] == TAG_RUN and r["key"] == key]
    assert [r["status"] for r in mine] == [429, 200]  # the SDK retried once after the 429
    assert [r["attempt"] for r in mine] == [1, 2]  # x-stainless-retry-count 0 then 1
    assert mine[0]["retry_after_ms"] == 50 and mine[1]["completed"] is True
    assert mine[1]["prompt_tokens"] == plain.usage.prompt_tokens
    assert mine[0]["path"] == ("/v1/chat/completions" if sdk == "openai" else "/openai/v1/chat/completions")
