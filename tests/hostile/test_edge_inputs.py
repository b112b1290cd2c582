"""Hostile input at the edges added by issue 15: bodies, headers and paths sent to the compute
API (with hypothesis fuzzing of JSON bodies), and hostile values for every setting (with
hypothesis fuzzing). Every case gets a clear status or one line per bad variable, never a
traceback, a hang or a 500.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import InvalidSettingsError, Settings, load_settings
from compute import header_timeout
from compute.config import ServiceConfig
from compute.schemas import SHOWN_ERRORS, ErrorBody
from tests.compute.fake_service import fake_service

session_loop = pytest.mark.asyncio(loop_scope="session")
TOKEN = "hostile-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLEAR_STATUSES = {202, 400, 401, 404, 405, 413, 422, 429}
MAX_ERROR_BYTES = 4000


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def compute_url() -> AsyncIterator[str]:
    async with fake_service(token=TOKEN, queue_size=1000) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def http(compute_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=compute_url, timeout=30) as client:
        yield client


def assert_clear(response: httpx.Response) -> None:
    """A status from the contract; an error is a small `ErrorBody`, never a server error."""
    assert response.status_code in CLEAR_STATUSES, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert len(response.content) <= MAX_ERROR_BYTES
        body = ErrorBody.model_validate_json(response.content)
        assert body.detail and len(body.errors) <= SHOWN_ERRORS


JSON_BODIES: list[tuple[str, Any]] = [
    ("empty-object", {}),
    ("null", None),
    ("list", [1, 2, 3]),
    ("string", "quick"),
    ("number", 42),
    ("demo-null", {"demo": None}),
    ("demo-empty", {"demo": ""}),
    ("demo-long", {"demo": "q" * 10_000}),
    ("demo-number", {"demo": 7}),
    ("demo-list", {"demo": ["quick"]}),
    ("demo-unknown", {"demo": "teleport"}),
    ("demo-path", {"demo": "../../etc/passwd"}),
    ("demo-nul", {"demo": "quick\x00"}),
    ("demo-rtl", {"demo": "\u202equick"}),
    ("extra-field", {"demo": "quick", "shell": "rm -rf /"}),
    ("params-null", {"demo": "quick", "params": None}),
    ("params-list", {"demo": "quick", "params": [1, 2]}),
    ("params-string", {"demo": "quick", "params": "lr=0.1"}),
    ("params-nested", {"demo": "quick", "params": {"lr": {"$gt": 0}}}),
    ("params-list-value", {"demo": "quick", "params": {"lr": [0.1]}}),
    ("params-null-value", {"demo": "quick", "params": {"lr": None}}),
    ("lr-zero", {"demo": "quick", "params": {"lr": 0}}),
    ("lr-negative", {"demo": "quick", "params": {"lr": -1}}),
    ("lr-huge", {"demo": "quick", "params": {"lr": 1e308}}),
    ("lr-text", {"demo": "quick", "params": {"lr": "fast"}}),
    ("lr-nan-text", {"demo": "quick", "params": {"lr": "nan"}}),
    ("lr-inf-text", {"demo": "quick", "params": {"lr": "inf"}}),
    ("steps-float", {"demo": "quick", "params": {"steps": 2.5}}),
    ("steps-huge-int", {"demo": "quick", "params": {"steps": 10**40}}),
    ("steps-bool", {"demo": "quick", "params": {"steps": True}}),
    ("lr-bool", {"demo": "quick", "params": {"lr": False}}),
    ("seed-negative", {"demo": "quick", "params": {"seed": -1}}),
    ("flag-text", {"demo": "quick", "params": {"flag": "perhaps"}}),
    ("unknown-param", {"demo": "quick", "params": {"nonsense": 1}}),
    ("many-unknown", {"demo": "quick", "params": {f"k{i}": 1 for i in range(20)}}),
    ("over-param-cap", {"demo": "quick", "params": {f"k{i}": 1 for i in range(5000)}}),
    ("long-key", {"demo": "quick", "params": {"k" * 100_000: 1}}),
    ("long-value", {"demo": "quick", "params": {"lr": "9" * 100_000}}),
    ("unicode-key", {"demo": "quick", "params": {"학습률": 0.1}}),
    ("valid", {"demo": "quick", "params": {"lr": "0.5", "steps": "3"}}),
    ("valid-defaults", {"demo": "quick"}),
]


@session_loop
@pytest.mark.parametrize(("name", "body"), JSON_BODIES, ids=[n for n, _ in JSON_BODIES])
async def test_compute_json_bodies(http: httpx.AsyncClient, name: str, body: Any) -> None:
    response = await http.post("/jobs", json=body, headers=AUTH)
    assert_clear(response)
    assert (response.status_code == 202) == name.startswith("valid")


RAW_BODIES: list[tuple[str, bytes, str]] = [
    ("not-json", b"demo=quick", "application/json"),
    ("truncated-json", b'{"demo": "qu', "application/json"),
    ("nul-bytes", b"\x00" * 1000, "application/json"),
    ("bad-utf8", b'{"demo": "\xff\xfe"}', "application/json"),
    ("valid-utf16", '{"demo": "quick"}'.encode("utf-16"), "application/json"),
    ("deep-nesting", b"[" * 50_000 + b"]" * 50_000, "application/json"),
    ("deep-object", b'{"a":' * 20_000 + b"1" + b"}" * 20_000, "application/json"),
    ("form", b"demo=quick&params=lr", "application/x-www-form-urlencoded"),
    ("xml", b"<job><demo>quick</demo></job>", "application/xml"),
    ("no-type", b'{"demo": "quick"}', ""),
    ("nan-literal", b'{"demo": "quick", "params": {"lr": NaN}}', "application/json"),
    ("infinity-literal", b'{"demo": "quick", "params": {"lr": Infinity}}', "application/json"),
    ("duplicate-keys", b'{"demo": "quick", "demo": "slow"}', "application/json"),
    (
        "huge-number",
        b'{"demo": "quick", "params": {"seed": 1' + b"0" * 5000 + b"}}",
        "application/json",
    ),
    ("just-over-limit", b" " * (1_048_576 + 1), "application/json"),
    ("whitespace", b" \n\t ", "application/json"),
]


@session_loop
@pytest.mark.parametrize(
    ("name", "raw", "content_type"), RAW_BODIES, ids=[n for n, _, _ in RAW_BODIES]
)
async def test_compute_raw_bodies(
    http: httpx.AsyncClient, name: str, raw: bytes, content_type: str
) -> None:
    headers = {**AUTH, **({"Content-Type": content_type} if content_type else {})}
    response = await http.post("/jobs", content=raw, headers=headers)
    assert_clear(response)
    assert (response.status_code == 202) == name.startswith("valid"), name


@session_loop
@pytest.mark.parametrize(("field", "value"), [("steps", True), ("lr", False), ("seed", True)])
async def test_compute_a_boolean_is_not_a_number(
    http: httpx.AsyncClient, field: str, value: bool
) -> None:
    """pydantic's lax mode reads `true` as 1 (issue 41); the answer names the field."""
    response = await http.post(
        "/jobs", json={"demo": "quick", "params": {field: value}}, headers=AUTH
    )
    assert response.status_code == 422
    [error] = ErrorBody.model_validate_json(response.content).errors
    assert error.field == field and error.message.startswith("must be a"), error


MODEL_LOAD_S = 300  # the first request to embed loads the model
# JSON text as a client sends it (a lone surrogate survives only as an escape): the needle is
# what the 422 must name.
EMBEDDING_REFUSED: list[tuple[str, str, str]] = [
    ("lone-surrogate", '{"input": "\\ud800"}', "input[0]"),
    ("lone-low-surrogate-in-list", '{"input": ["fine", "a\\udfffb"]}', "input[1]"),
    ("not-a-string", '{"input": ["fine", 3]}', "input[1]"),
    ("dimensions-negative", '{"input": "x", "dimensions": -1}', "dimensions"),
    ("dimensions-zero", '{"input": "x", "dimensions": 0}', "dimensions"),
    ("dimensions-bool", '{"input": "x", "dimensions": true}', "dimensions"),
    ("dimensions-text", '{"input": "x", "dimensions": "384"}', "dimensions"),
    ("dimensions-other", '{"input": "x", "dimensions": 12}', "dimensions 12"),
    ("model-number", '{"input": "x", "model": 7}', "model"),
]
EMBEDDING_SERVED: list[tuple[str, str]] = [
    ("nul", '{"input": "a\\u0000b"}'),
    ("split-pair", '{"input": "\\ud83d\\ude00"}'),
    ("model-bundled", '{"input": "x", "model": "bundled"}'),
    ("own-dimensions", '{"input": "x", "dimensions": 384}'),
]


@session_loop
@pytest.mark.parametrize(
    ("name", "body", "needle"), EMBEDDING_REFUSED, ids=[n for n, _, _ in EMBEDDING_REFUSED]
)
async def test_embeddings_refuse_bad_input_naming_the_item(
    http: httpx.AsyncClient, name: str, body: str, needle: str
) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await http.post(
        "/v1/embeddings", content=body.encode("ascii"), headers=headers, timeout=MODEL_LOAD_S
    )
    assert response.status_code == 422, (name, response.text[:300])
    assert needle in response.text, response.text[:300]


@session_loop
@pytest.mark.parametrize(("name", "body"), EMBEDDING_SERVED, ids=[n for n, _ in EMBEDDING_SERVED])
async def test_embeddings_serve_what_is_text(http: httpx.AsyncClient, name: str, body: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await http.post(
        "/v1/embeddings", content=body.encode("ascii"), headers=headers, timeout=MODEL_LOAD_S
    )
    assert response.status_code == 200, (name, response.text[:300])
    assert len(response.json()["data"][0]["embedding"]) == 384


def bytes_until_closed(url: str, sent: bytes) -> bytes:
    """What the server at `url` answers to `sent` before it closes the connection (a socket
    timeout, far above the header timeout set here, fails the test rather than hanging it)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(sent)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    return received


@session_loop
@pytest.mark.parametrize(
    "sent",
    [
        b"",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /",
    ],
    ids=["nothing", "half-headers", "half-second-request"],
)
async def test_compute_closes_a_connection_whose_headers_never_end(
    compute_url: str, monkeypatch: pytest.MonkeyPatch, sent: bytes
) -> None:
    """Slowloris (issue 41): uvicorn waited for the rest of the headers for ever."""
    monkeypatch.setattr(header_timeout, "HEADER_TIMEOUT_S", 0.5)
    received = await asyncio.to_thread(bytes_until_closed, compute_url, sent)
    assert received.count(b"HTTP/1.1 200") == sent.count(b"\r\n\r\n")


HEADERS: list[tuple[str, dict[str, str]]] = [
    ("no-auth", {}),
    ("basic-auth", {"Authorization": f"Basic {TOKEN}"}),
    ("bearer-empty", {"Authorization": "Bearer"}),
    ("bearer-wrong", {"Authorization": "Bearer nope"}),
    ("bearer-prefix", {"Authorization": f"Bearer {TOKEN[:-1]}"}),
    ("bearer-longer", {"Authorization": f"Bearer {TOKEN}x"}),
    ("bearer-huge", {"Authorization": "Bearer " + "t" * 6000}),
    ("token-twice", {"Authorization": f"Bearer {TOKEN} {TOKEN}"}),
    ("lowercase-scheme", {"Authorization": f"bearer {TOKEN}"}),
    ("query-token", {"X-Token": TOKEN}),
]


@session_loop
@pytest.mark.parametrize(("name", "headers"), HEADERS, ids=[n for n, _ in HEADERS])
@pytest.mark.parametrize("path", ["/jobs", "/demos", "/docs", "/openapi.json", "/jobs/x"])
async def test_compute_auth_headers(
    http: httpx.AsyncClient, name: str, headers: dict[str, str], path: str
) -> None:
    if path == "/jobs":
        response = await http.post(path, json={"demo": "quick"}, headers=headers)
    else:
        response = await http.get(path, headers=headers)
    if response.status_code != 200:  # GET /demos and the docs (when let in) answer 200
        assert_clear(response)
    accepted = name == "lowercase-scheme"
    assert (response.status_code != 401) == accepted, (name, path, response.status_code)


PATHS = [
    "/jobs/" + "a" * 5000,
    "/jobs/%00",
    "/jobs/..%2f..%2fetc%2fpasswd",
    "/jobs/x/images/-1.png",
    "/jobs/x/images/99999999999999999999.png",
    "/jobs/x/images/abc.png",
    "/demos/../healthz",
    "/%ff%fe",
    "/jobs?demo=quick",
    "/" + "/".join(["x"] * 500),
]


@session_loop
@pytest.mark.parametrize("path", PATHS)
async def test_compute_hostile_paths(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path, headers=AUTH)
    assert response.status_code in CLEAR_STATUSES | {200}, (path, response.status_code)
    assert len(response.content) <= MAX_ERROR_BYTES or response.status_code == 200


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner, max_size=5)
    ),
    max_leaves=30,
)


@session_loop
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "demo": st.sampled_from(["quick", "slow", "nope"]) | st.text(max_size=30),
            "params": st.dictionaries(
                st.sampled_from(["lr", "steps", "flag", "seed"]) | st.text(max_size=10),
                JSON_VALUES,
                max_size=8,
            )
            | JSON_VALUES,
            "extra": JSON_VALUES,
        },
    )
)
async def test_compute_fuzzed_bodies_get_a_clear_status(
    http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await http.post("/jobs", content=json.dumps(body), headers=AUTH)
    assert_clear(response)


# ---- settings ---------------------------------------------------------------------------------


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No QUIZMASTER_* from the shell, no .env from the repo; the db in a scratch folder."""
    for name in list(os.environ):
        if name.startswith("QUIZMASTER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZMASTER_DB", str(tmp_path / "q.db"))
    yield monkeypatch


def variables() -> list[str]:
    names = [f"QUIZMASTER_{name.upper()}" for name in Settings.model_fields]
    return names + [f"QUIZMASTER_COMPUTE_{name.upper()}" for name in ServiceConfig.model_fields]


def assert_one_line_per_variable(exc: InvalidSettingsError, name: str) -> None:
    assert exc.lines, "an invalid setting names at least one variable"
    for line in exc.lines:
        assert "\n" not in line and len(line) < 400
        assert line.split(":", 1)[0] == name, line


HOSTILE_VALUES = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "99999999999999999999999",
    "[40,65,85]",
    "[1,2]",
    "{}",
    "null",
    "true",
    "http://[::1",
    "http://127.0.0.1:99999",
    "not a url",
    "/etc/passwd/x",
    "\x00",
    "\u202eevil",
    "x" * 5000,
]
SETTING_CASES = [
    (name, value)
    for name in [
        "QUIZMASTER_DAYS",
        "QUIZMASTER_PRACTICE_THRESHOLDS",
        "QUIZMASTER_COMPUTE_WORKERS",
        "QUIZMASTER_COMPUTE_JOB_TIMEOUT_S",
        "QUIZMASTER_COMPUTE_URL",
        "QUIZMASTER_POST_TIME",
        "QUIZMASTER_SLACK_PORT",
    ]
    for value in HOSTILE_VALUES
]


@pytest.mark.parametrize(("name", "value"), SETTING_CASES)
def test_hostile_setting_values(clean_env: pytest.MonkeyPatch, name: str, value: str) -> None:
    if "\x00" in value:
        pytest.skip("the environment cannot hold a NUL byte")
    clean_env.setenv(name, value)
    try:
        load_settings()
    except InvalidSettingsError as exc:
        assert_one_line_per_variable(exc, name)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    name=st.sampled_from(variables()),
    value=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60),
)
def test_fuzzed_settings_are_valid_or_one_line_per_variable(name: str, value: str) -> None:
    keep = {k: v for k, v in os.environ.items() if k.startswith("QUIZMASTER_")}
    for k in keep:
        del os.environ[k]
    os.environ[name] = value
    try:
        load_settings()
    except InvalidSettingsError as exc:
        assert_one_line_per_variable(exc, name)
    finally:
        del os.environ[name]
        os.environ.update(keep)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_a_number_of_seconds_that_is_not_a_number_is_called_so(
    clean_env: pytest.MonkeyPatch, value: str
) -> None:
    """`nan` passes every bound check (all comparisons are false): it must be refused as not a
    number, not as "must be at most 300" (issue 41)."""
    clean_env.setenv("QUIZMASTER_SCHEDULER_INTERVAL_S", value)
    with pytest.raises(InvalidSettingsError) as raised:
        load_settings()
    [line] = raised.value.lines
    assert line.startswith("QUIZMASTER_SCHEDULER_INTERVAL_S: ") and "finite number" in line, line
