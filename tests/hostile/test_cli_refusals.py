"""Settings and servers a command cannot use (issue 41, points 6 and 10): the real command in its
own process says so in one line naming what is wrong, exits 2, and prints no traceback."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
from pathlib import Path

from pydantic import SecretStr

from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from tests.cli_process import run_quizmaster

REPO_ROOT = Path(__file__).parents[2]
TOKEN = "refusals-token"


def command_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {"PYTHONPATH": str(REPO_ROOT), **settings}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, no traceback, and the last line of stderr names every one of `needles`."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("quizmaster"), result.stderr
    for needle in needles:
        assert needle in last, result.stderr


def test_run_with_an_unreachable_postgresql_says_where_in_one_line(tmp_path: Path) -> None:
    port = closed_port()
    env = command_env(
        QUIZMASTER_PLATFORM="console",
        QUIZMASTER_DB=f"postgresql://quiz:HOSTILE-pw@127.0.0.1:{port}/quizmaster",
    )
    result = run_quizmaster(["run"], env=env, cwd=tmp_path, stdin="")
    assert_refused(result, f"127.0.0.1:{port}", "cannot be reached")
    assert "HOSTILE-pw" not in result.stderr + result.stdout


async def test_eval_against_a_server_of_another_model_says_so_in_one_line(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    row = {"question": "q?", "answer": "an answer", "score": 1, "score_max": 5, "reference": "r"}
    rows.write_text(json.dumps(row) + "\n", encoding="utf-8")
    async with serve_in_thread(create_app(ServiceConfig(token=SecretStr(TOKEN)))) as url:
        env = command_env(
            QUIZMASTER_EMBEDDING_URL=f"{url}/v1",
            QUIZMASTER_EMBEDDING_TOKEN=TOKEN,
            QUIZMASTER_EMBEDDING_MODEL="intfloat/multilingual-e5-small",
            QUIZMASTER_CACHE_DIR=str(tmp_path / "cache"),
        )
        result = await asyncio.to_thread(run_quizmaster, ["eval", str(rows)], env=env, cwd=tmp_path)
    assert_refused(result, "intfloat/multilingual-e5-small", "all-MiniLM-L6-v2 (bundled)")
