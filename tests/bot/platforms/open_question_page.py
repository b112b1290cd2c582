"""The team's web page beside a Slack or Discord bot, as a deployment runs it (`quizmaster web`):
its own database connection and bank on the bot's SQLite file, its links signed with the secret
the bot signs `/quiz web` with; and an admin writing an open question's model answer on it over
real HTTP, from the answer a member gave in the chat (on any page: the console's own too)."""

from __future__ import annotations

import itertools
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import SecretStr

from bot.app import open_service, web_app, web_tokens
from bot.config import Settings
from bot.web.server import bind, port_of, serving_beside
from evaluators.grade import Grader
from tests.web.client import form_fields

SECRET = "open-question-web-secret-0123456789"
LINK = re.compile(r"https?://[^\s>|]+")
_KEPT = re.compile(r'<li id="kept-(\d+)">.*?<p>(.*?)</p>', flags=re.S)
_ADDRESSES = itertools.count(1)


def web_socket() -> socket.socket:
    """The page's listening socket on loopback, bound before the bot's settings name its URL."""
    return bind("127.0.0.1", 0, any_port_if_busy=False)


def with_web_page(settings: Settings, sock: socket.socket) -> Settings:
    """`settings` with the web page set up for the chat bot (QUIZMASTER_WEB_URL and _SECRET)."""
    return settings.model_copy(
        update={
            "web_url": f"http://127.0.0.1:{port_of(sock)}",
            "web_secret": SecretStr(SECRET),
        }
    )


@asynccontextmanager
async def web_page_beside(
    settings: Settings, sock: socket.socket, grader: Grader
) -> AsyncIterator[None]:
    """Serve the page on `sock` as `quizmaster web` does (`bot.serve_web`): its own start-up
    (`open_service` for the page alone: a repository and bank of its own, the team questions
    saved on the page loaded into it), `grader` for the answers it grades. It shares nothing
    else with the bot."""
    async with open_service(settings, grader=grader, page_alone=True) as wired:
        app = web_app(settings, wired, tokens=web_tokens(SECRET))
        async with serving_beside(app, sock):
            yield


def browser() -> httpx.AsyncClient:
    """An English browser from a loopback address of its own (sign-in is rate-limited per
    address); as `tests.web.client.browser`, for a test on the bot's event loop."""
    n = next(_ADDRESSES)
    return httpx.AsyncClient(
        headers={"Accept-Language": "en-US,en;q=0.9"},
        transport=httpx.AsyncHTTPTransport(local_address=f"127.0.9.{n % 250 + 1}"),
        timeout=120,  # not a target: Kiwi loads on the first drafted concepts, on a busy CPU
    )


async def write_model_answer(link: str, prompt_id: str, kept_answer: str, lang: str) -> int:
    """An admin signs in with `link` (their `/quiz web` link), picks `kept_answer` among the
    answers kept for `prompt_id` in their channel, saves it as the model answer (in `lang`),
    and reads how many kept answers the page says it graded."""
    async with browser() as admin:
        page = await admin.get(link)
        assert page.status_code == 200, page.text
        signed = await admin.post(link.split("?", maxsplit=1)[0], data=form_fields(page.text))
        assert signed.status_code == 303, signed.text
        channel = f"{urlsplit(link).scheme}://{urlsplit(link).netloc}{signed.headers['location']}"
        base = f"{channel.rstrip('/')}/open/{prompt_id}"
        question = await admin.get(base)
        assert question.status_code == 200, question.text
        kept = {unescape(text): int(i) for i, text in _KEPT.findall(question.text)}
        assert kept_answer in kept, kept
        csrf = form_fields(question.text)["csrf"]
        drafted = await admin.post(
            f"{base}/compose", data={"answer": [kept[kept_answer]], "csrf": csrf}
        )
        assert drafted.status_code == 200, drafted.text
        box = re.search(r'<textarea id="model_answer"[^>]*>(.*?)</textarea>', drafted.text, re.S)
        assert box is not None and unescape(box.group(1)) == kept_answer
        saved = await admin.post(
            f"{base}/save", data={"model_answer": kept_answer, "answer_lang": lang, "csrf": csrf}
        )
        assert saved.status_code == 303, saved.text
        [graded] = parse_qs(urlsplit(saved.headers["location"]).query)["graded"]
        return int(graded)
