"""`quizmaster web`: the team's web page on its own, beside a chat bot on the same database.

The chat bot signs `/quiz web` links with the same QUIZMASTER_WEB_SECRET and puts
QUIZMASTER_WEB_URL in them; this process checks them, and serves the pages.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime

from bot.app import open_service, web_app, web_tokens
from bot.config import Settings, updated_or_told
from content.loader import BankError

log = logging.getLogger("quizmaster.web")


def now() -> datetime:
    return datetime.now(UTC)


async def _serve(settings: Settings, secret: str) -> int:
    """The chat's start-up (`open_service`), opened for the page alone: the bank with the
    questions saved on the page, the database, the grader for "Try the grader" and its
    references. The socket is bound first, so a busy port is told before the model loads."""
    from bot.web.server import bind, port_of, serve_alone

    sock = bind(settings.web_host, settings.web_port, any_port_if_busy=False)
    async with open_service(settings, page_alone=True) as wired:
        finished = await wired.model_answers.resume(saved_before=now())
        if finished:
            log.info("graded the kept answers of %d saved model answer(s)", finished)
        app = web_app(settings, wired, tokens=web_tokens(secret))
        print(
            f"quizmaster: web page on http://{settings.web_host}:{port_of(sock)}"
            f" (links point to {settings.web_url or 'QUIZMASTER_WEB_URL, unset'})",
            file=sys.stderr,
            flush=True,
        )
        await serve_alone(app, sock, proxy_headers=settings.web_proxy_headers)
    return 0


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster web", description="Serve the web page.")
    parser.add_argument("--host", help="listen address (default QUIZMASTER_WEB_HOST)")
    parser.add_argument("--port", type=int, help="port (default QUIZMASTER_WEB_PORT)")
    args = parser.parse_args(argv)
    updates: dict[str, object] = {}
    if args.host:
        updates["web_host"] = args.host
    if args.port is not None:
        updates["web_port"] = args.port
    updated = updated_or_told(settings, updates)
    if updated is None:
        return 2
    settings = updated
    if settings.web_secret is None or not settings.web_secret.get_secret_value():
        print(
            "quizmaster web needs QUIZMASTER_WEB_SECRET (the chat bot signs /quiz web links with"
            " it), and the bot needs QUIZMASTER_WEB_URL",
            file=sys.stderr,
        )
        return 2
    try:
        return asyncio.run(_serve(settings, settings.web_secret.get_secret_value()))
    except BankError as exc:
        print(f"quizmaster: bank error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
