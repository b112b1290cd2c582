"""The console's web page is built when someone first opens it: a start that never shows the page
does not import the web framework (a third of a second of every start, `bench startup`), and
the first request gets the real page all the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from fastapi import FastAPI

from bot.app import page_wiring, web_app, web_tokens
from bot.config import Settings
from bot.storage.repository import Repository
from bot.web.server import BuiltOnFirstRequest, bind, port_of, serving_beside
from content.bank import Bank
from tests.fixed_grader import FixedGrader

SECRET = "first-request-secret-0123456789"


async def test_the_page_is_built_by_its_first_request_and_only_once(
    tmp_path: Path, bank: Bank
) -> None:
    settings = Settings(_env_file=None, lang="en", db=tmp_path / "page.db")
    repo = await Repository.open(settings.storage.db)
    built: list[FastAPI] = []

    def build() -> FastAPI:
        wired = page_wiring(settings, repo=repo, bank=bank, grader=FixedGrader())
        app = web_app(settings, wired, tokens=web_tokens(SECRET))
        built.append(app)
        return app

    sock = bind("127.0.0.1", 0, any_port_if_busy=False)
    url = f"http://127.0.0.1:{port_of(sock)}"
    try:
        async with (
            serving_beside(BuiltOnFirstRequest(build), sock),
            httpx.AsyncClient(base_url=url, timeout=60) as browser,
        ):
            assert built == []
            first = await browser.get("/healthz")
            second = await browser.get("/", headers={"Accept-Language": "en"})
    finally:
        await repo.close()
    assert first.status_code == 200, first.text
    assert second.status_code in {200, 303}, second.text
    assert len(built) == 1


def test_starting_the_console_imports_no_web_framework(tmp_path: Path) -> None:
    """What `quizmaster run --platform console` imports before its page is opened: the server
    and the console, and nothing of FastAPI, its routes or its templates."""
    probe = (
        "import sys, bot.cli, bot.run, bot.platforms.console, bot.web.server, bot.app;"
        "print(sorted(m for m in ('fastapi', 'jinja2', 'bot.web.app', 'bot.web.routes')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": ""},
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
