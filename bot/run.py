"""`quizmaster run`: start the bot on the configured platform."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

from pydantic import ValidationError

from bot.app import open_service, slack_oauth_stores, web_app, web_tokens
from bot.config import Settings, StorageSettings, describe_errors
from bot.logs import LOG_FILE_NAME, log_to_file
from bot.platforms.credentials import CredentialsRefusedError, wait_for_credentials
from bot.storage.drivers import DatabaseUnreachableError
from content.loader import BankError

log = logging.getLogger("quizmaster.bot")

IMAGE_DIR_NAME = "quizmaster-images"


async def _serve(settings: Settings) -> int:
    try:
        await wait_for_credentials(settings)
    except CredentialsRefusedError as exc:
        log.error("%s; not starting", exc)
        return 1
    stop = asyncio.Event()
    _stop_on_signals(stop)
    if settings.platform == "console":
        return await _console(settings, stop)
    async with open_service(settings) as service:
        if settings.platform == "slack":
            from bot.platforms.slack import runner as slack_runner

            await slack_runner.run(
                settings, service, oauth=slack_oauth_stores(settings.slack, service.repo), stop=stop
            )
            return 0
        from bot.platforms.discord import runner as discord_runner

        await discord_runner.run(settings.discord, service, stop=stop)
        return 0


async def _console(settings: Settings, stop: asyncio.Event) -> int:
    """The console, with the web page beside it on loopback (unless QUIZMASTER_WEB_CONSOLE is
    false): `/quiz web` prints a sign-in link to it."""
    from bot.platforms import console
    from bot.web.server import bind, port_of, serving_beside
    from bot.web.signing import LinkIssuer

    wake = asyncio.Event()
    async with AsyncExitStack() as stack:
        if not settings.web_console:
            service = await stack.enter_async_context(open_service(settings))
        else:
            sock = bind("127.0.0.1", settings.web_port, any_port_if_busy=True)
            stack.callback(sock.close)
            url = settings.web_url or f"http://127.0.0.1:{port_of(sock)}"
            secret = (
                settings.web_secret.get_secret_value()
                if settings.web_secret
                else secrets.token_urlsafe(32)
            )
            tokens = web_tokens(secret)
            service = await stack.enter_async_context(
                open_service(settings, sign_in=LinkIssuer(tokens, url))
            )
            app = web_app(
                settings,
                repo=service.repo,
                bank=service.bank,
                tokens=tokens,
                grader=service.grader,
                notice_left=wake.set,  # the console's scheduler sends it at once
            )
            await stack.enter_async_context(serving_beside(app, sock))
            print(f"quizmaster: web page on {url} (type /quiz web to sign in)", file=sys.stderr)
        return await console.run(
            service,
            stdin=sys.stdin,
            stdout=sys.stdout,
            image_dir=_image_dir(settings.storage),
            stop=stop,
            wake=wake,
        )


def _image_dir(settings: StorageSettings) -> Path:
    """Where the console saves charts: the setting, else beside the SQLite file (ignored by git
    like the database and the log), else a temp folder (nothing to sit beside)."""
    if settings.image_dir is not None:
        return settings.image_dir
    if isinstance(settings.db, Path):
        return settings.local_dir / IMAGE_DIR_NAME
    return Path(tempfile.gettempdir()) / IMAGE_DIR_NAME


def _stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM (docker stop) and SIGINT (Ctrl-C) set `stop`: the platform stops taking
    messages, the ones in flight finish, sessions and the database close, and the exit is 0."""
    loop = asyncio.get_running_loop()

    def request_stop(sig: signal.Signals) -> None:
        log.info("%s received: stopping", sig.name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig)


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster run", description="Start the bot.")
    parser.add_argument("--platform", choices=["console", "slack", "discord"])
    parser.add_argument("--db", help="SQLite file (default ./quizmaster.db) or postgresql:// URL")
    args = parser.parse_args(argv)
    updates: dict[str, object] = {}
    if args.platform:
        updates["platform"] = args.platform
    if args.db:
        updates["db"] = args.db
    try:
        settings = settings.updated(**updates)
    except ValidationError as exc:
        print(f"quizmaster: invalid settings\n{describe_errors(exc)}", file=sys.stderr)
        return 2
    missing = settings.missing_for_platform()
    if missing is not None:
        print(f"quizmaster: {missing}", file=sys.stderr)
        return 2
    if settings.platform == "console":
        log_path = settings.local_dir / LOG_FILE_NAME
        log_to_file(log_path, settings.log_level)
        print(f"quizmaster: log in {log_path}", file=sys.stderr)
    try:
        return asyncio.run(_serve(settings))
    except BankError as exc:
        print(f"quizmaster: bank error: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnreachableError as exc:
        print(f"quizmaster: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
