"""What a newcomer sees: the README's console example run verbatim (and its output as the README
shows it, which `python -m tools.docs.readme_example --write` refreshes), a `make run`-style
start on a real pseudo-terminal, and where log lines go (a file for the console, never library
INFO on the default output of any platform)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from bot.core.texts import text
from bot.logs import LOG_FILE_NAME
from content.loader import load_bank
from tests.cli_process import run_quizmaster
from tests.one_language import Quoted, foreign_lines
from tools.docs import readme_example

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LOG_LEVELS = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|Traceback")
ANSWERED = re.compile(r"^Your answer to: (.+)$", re.MULTILINE)
SCORE = re.compile(r"@\w+ (\d{1,3})/100")
START_TIMEOUT_S = 420.0


def makefile_run_env(cache_dir: Path) -> dict[str, str]:
    """The environment `make run` gives the bot (the Makefile exports these three), with this
    tree's code on the path and no QUIZMASTER_ setting from the caller: the default model, whose
    reference vectors ship, on the test's own cache folder. The web page beside the console
    is off: its one line at start is tested in tests/web/test_web_command.py, and this file's
    screens are the chat's first minutes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {
        "QUIZMASTER_WEB_CONSOLE": "false",
        # every day scheduled: the start's question is the day's whatever weekday this runs on
        # (on a day off the default weekdays it is an extra question)
        "QUIZMASTER_DAYS": "daily",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "MPLBACKEND": "Agg",
        "PYTHONPATH": str(REPO_ROOT),
        "QUIZMASTER_CACHE_DIR": str(cache_dir),
        "USER": "you",
        "LOGNAME": "you",
    }


def shown_questions(out: str) -> list[str]:
    """The body of each question post, in order (the line after its title)."""
    lines = out.splitlines()
    titles = ("Question of the day · ", "오늘의 질문 · ")
    return [lines[i + 1] for i, line in enumerate(lines) if line.startswith(titles)]


@pytest.mark.slow
def test_readme_console_example_grades_the_answer_against_its_question(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    result = subprocess.run(
        ["bash", "-c", readme_example.command(README.read_text(encoding="utf-8"))],
        cwd=tmp_path,
        env=makefile_run_env(tmp_path / "cache"),
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    questions = shown_questions(out)
    answered = ANSWERED.findall(out)
    assert len(answered) == 1, out
    # At start today's question (in Korean), then `/quiz now` showed it again (in English, after
    # `/quiz lang en`) instead of posting a second one...
    assert len(questions) == 2, questions
    assert "`/quiz now extra` posts an extra question" in out
    # ...so the answer, about ReLU, is graded against the ReLU question shown last.
    assert answered[0] == questions[-1]
    assert "ReLU" in answered[0]
    scores = [int(s) for s in SCORE.findall(out)]
    assert len(scores) == 1 and scores[0] >= 50, out
    assert "Leaderboard" in out
    # What the README shows under the example is this run's output, line for line.
    readme = README.read_text(encoding="utf-8")
    assert readme_example.excerpt(out) == readme_example.shown(readme), (
        "README.md's example is stale: python -m tools.docs.readme_example --write"
    )
    # The console's log went to a file next to the database, and the screen got its path once.
    log = tmp_path / LOG_FILE_NAME
    assert result.stderr.count(str(log)) == 1, result.stderr
    assert not LOG_LEVELS.search(result.stderr), result.stderr
    logged = log.read_text(encoding="utf-8")
    assert "INFO quizmaster.core posted prompt=" in logged
    library_info = [
        line for line in logged.splitlines() if " INFO " in line and " quizmaster." not in line
    ]
    assert not library_info, library_info


@pytest.mark.slow
def test_a_first_start_on_a_pipe_talks_and_encodes_no_seed_text(tmp_path: Path) -> None:
    """A fresh install's first start (empty cache, new database, the default model) with its
    output read through pipes, as `make run | tee` or a service manager reads it: the error
    output says what the start is doing before the question comes, and the question bank's
    vectors come from disk (the shipped ones), none encoded."""
    bot = subprocess.Popen(
        [str(Path(sys.prefix) / "bin" / "quizmaster"), "run", "--platform", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=makefile_run_env(tmp_path / "fresh-cache"),
    )
    assert bot.stdout is not None and bot.stderr is not None
    try:
        told = read_until(bot.stderr.fileno(), b"reference embeddings ready", START_TIMEOUT_S)
        question = read_until(bot.stdout.fileno(), "오늘의 질문".encode(), START_TIMEOUT_S)
    finally:
        bot.kill()
        bot.wait()
    lines = told.decode().splitlines()
    assert (
        lines[0] == f"quizmaster: {text('ko', 'console_log_file', path=tmp_path / LOG_FILE_NAME)}"
    )
    assert "quizmaster: loading the embedding model" in lines, lines
    ready = "quizmaster: reference embeddings ready (every text from disk)"
    assert ready in lines, lines
    assert question


def read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    """What the terminal showed until `marker` appeared (raises on timeout or EOF)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{marker!r} not shown in {timeout:g} s: {seen[-500:]!r}"
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other side closed (Linux reports EIO)
                chunk = b""
            assert chunk, f"the bot exited before {marker!r}: {seen[-500:]!r}"
            seen += chunk
    return seen


@pytest.mark.slow
def test_make_run_on_a_terminal_shows_only_the_question_and_the_prompt(tmp_path: Path) -> None:
    """`make run` runs `.venv/bin/quizmaster run --platform console` with its exports."""
    leader, follower = pty.openpty()
    bot = subprocess.Popen(
        [str(Path(sys.prefix) / "bin" / "quizmaster"), "run", "--platform", "console"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env=makefile_run_env(tmp_path / "cache"),
        close_fds=True,
    )
    os.close(follower)
    try:
        screen = read_until(leader, b"you> ", START_TIMEOUT_S).decode("utf-8", "replace")
        os.write(leader, b"/quit\n")
        assert bot.wait(timeout=120) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        os.close(leader)
    lines = ANSI.sub("", screen).replace("\r\n", "\n").split("\n")
    assert not LOG_LEVELS.search(screen), screen
    # The start's lines are in the channel's language (Korean, the default), as the question is.
    log_line = text("ko", "console_log_file", path=tmp_path.resolve() / LOG_FILE_NAME)
    assert lines[0] == f"quizmaster: {log_line}"
    assert foreign_lines(lines, "ko", quoted=Quoted.of(load_bank(), ("you",))) == [], lines
    assert lines[1].startswith("오늘의 질문 · "), lines
    assert lines[2].strip() and lines[3] == "", lines
    assert lines[4].startswith("답을 입력해 주세요."), lines  # no threads on the console
    assert lines[5:] == ["you> "], lines
    assert (tmp_path / LOG_FILE_NAME).is_file()


class _NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the test reads the bot's output, not this server's."""


@pytest.fixture
def http_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_library_info_stays_off_the_default_output(
    tmp_path: Path, http_server: str, level: str, *, shown: bool
) -> None:
    """Slack and Discord log to stderr through the same set-up as every command but the console
    bot: here `doctor` asks a real HTTP server through httpx, which logs each request at INFO."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    env |= {
        "PYTHONPATH": str(REPO_ROOT),
        "QUIZMASTER_PLATFORM": "discord",
        "QUIZMASTER_DISCORD_TOKEN": "not-a-real-token",
        "QUIZMASTER_COMPUTE_URL": http_server,
        "QUIZMASTER_DB": str(tmp_path / "q.db"),
        "QUIZMASTER_LOG_LEVEL": level,
    }
    result = run_quizmaster(["doctor", "--quick"], env=env, cwd=tmp_path)
    assert "compute" in result.stdout, result.stdout
    assert ("HTTP Request: GET" in result.stderr) is shown, result.stderr
