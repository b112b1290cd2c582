"""A real `quizmaster compute` process on loopback for the benches that measure the service from
outside: started with a fresh token, waited on until its model has loaded, stopped afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 300.0
"""Generous: a first start on a GPU machine initialises CUDA before it loads the model."""
STOP_TIMEOUT_S = 30.0
"""The service cancels requests still open 5 s after SIGTERM (`compute.serving`), then stops
its jobs: well inside this."""


@dataclass(frozen=True)
class ComputeProcess:
    port: int
    token: str
    proc: subprocess.Popen[bytes]
    log: Path
    """The service's stderr, so a start that fails can say why."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def healthz(port: int) -> tuple[float, bytes]:
    """One `GET /healthz` on a fresh connection: its latency in ms, and the answer's body."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    if not answer.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"/healthz answered {answer[:40]!r}")
    return (time.perf_counter() - started) * 1000, answer.partition(b"\r\n\r\n")[2]


async def wait_warm(service: ComputeProcess) -> dict[str, object]:
    """The service's /healthz once its model has loaded. Measured before that, every figure
    would include the model load, which imports torch in the service's own process."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if service.proc.poll() is not None:
            said = service.log.read_text(encoding="utf-8", errors="replace").strip()
            raise RuntimeError(
                f"quizmaster compute exited with {service.proc.returncode} at start:\n"
                + "\n".join(said.splitlines()[-15:])
            )
        try:
            health: dict[str, object] = json.loads((await healthz(service.port))[1])
            if not health["warming_up"]:
                return health
        except (OSError, RuntimeError):
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.2)


@contextmanager
def compute_process(
    cache_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[ComputeProcess]:
    """`quizmaster compute` with its own token and port, its stderr kept in a temporary file;
    `env` adds to or overrides this process's environment (CUDA_VISIBLE_DEVICES, the model)."""
    port = free_port()
    token = secrets.token_urlsafe(16)
    full_env = {
        **os.environ,
        "QUIZMASTER_COMPUTE_TOKEN": token,
        "QUIZMASTER_CACHE_DIR": str(cache_dir),
        **(env or {}),
    }
    with tempfile.TemporaryDirectory(prefix="bench-compute-") as folder:
        log = Path(folder) / "stderr.log"
        with log.open("wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "compute", "--port", str(port)],
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            yield ComputeProcess(port=port, token=token, proc=proc, log=log)
        finally:
            _stop(proc, log)


def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, then SIGKILL after `STOP_TIMEOUT_S`; a service that had to be killed is an error
    that shows the end of the service's log, since the log's folder goes with the bench."""
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        said = log.read_text(encoding="utf-8", errors="replace").strip()
        raise RuntimeError(
            f"quizmaster compute was still running {STOP_TIMEOUT_S:g} s after SIGTERM:\n"
            + "\n".join(said.splitlines()[-15:])
        ) from None
