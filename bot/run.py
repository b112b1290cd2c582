"""`quizmaster run`: start the bot on the configured platform."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from functools import partial
from pathlib import Path
from types import FrameType
from typing import NoReturn, TypeVar

from bot.app import open_service, slack_oauth_stores, web_app, web_tokens
from bot.config import Settings, StorageSettings, updated_or_told
from bot.console_files import ConsoleFiles, claim
from bot.core.texts import text
from bot.logs import log_to_file
from bot.platforms.credentials import CredentialsRefusedError, wait_for_credentials
from bot.storage.drivers import DatabaseUnreachableError
from bot.storage.repository import Repository
from compute.heap import freeze_start_up
from content.loader import BankError
from content.schema import Lang

log = logging.getLogger("quizmaster.bot")

IMAGE_DIR_NAME = "quizmaster-images"
T = TypeVar("T")


class StoppedDuringStartUpError(Exception):
    """SIGTERM or SIGINT came before the platform was up: nothing was posted, nothing is kept."""


async def _unless_stopped(step: Awaitable[T], stop: asyncio.Event) -> T:
    """`step`'s result, unless `stop` is set first: then `step` is cancelled (undoing what it
    opened, such as the database) and StoppedDuringStartUpError is raised."""
    task = asyncio.ensure_future(step)
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if task.done() and not stop.is_set():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise StoppedDuringStartUpError


async def _serve(settings: Settings, signalled: threading.Event, files: ConsoleFiles | None) -> int:
    stop = asyncio.Event()
    _stop_on_signals(stop, signalled)
    try:
        await _unless_stopped(wait_for_credentials(settings), stop)
    except CredentialsRefusedError as exc:
        log.error("%s; not starting", exc)
        return 1
    if files is not None:
        return await _console(settings, stop, files)
    async with AsyncExitStack() as stack:
        service = await _unless_stopped(stack.enter_async_context(open_service(settings)), stop)
        freeze_start_up()
        if settings.platform == "slack":
            from bot.platforms.slack import runner as slack_runner

            await slack_runner.run(
                settings, service, oauth=slack_oauth_stores(settings.slack, service.repo), stop=stop
            )
            return 0
        from bot.platforms.discord import runner as discord_runner

        await discord_runner.run(
            settings.discord, service, interval=settings.scheduler_interval_s, stop=stop
        )
        return 0


async def _console_lang(settings: Settings) -> Lang:
    """The console channel's language: the one `/quiz lang` stored there, else the settings'
    default for a new channel. The start's own lines (where the log goes, the web page's
    address) are in it, as the question printed after them is; they come before the model
    loads, so the channel is read on a connection of their own."""
    from bot.platforms import console

    repo = await Repository.open(settings.storage.db)
    try:
        channel = await repo.channels.channel(platform=console.PLATFORM, channel_id=console.CHANNEL)
    finally:
        await repo.close()
    return settings.lang if channel is None else channel.lang


async def _console(settings: Settings, stop: asyncio.Event, files: ConsoleFiles) -> int:
    """The console, with the web page beside it on loopback (unless QUIZMASTER_WEB_CONSOLE is
    false): `/quiz web` prints a sign-in link to it. One started beside another console on the
    same database (`files.owner` false) says so, and keeps no port for the next start."""
    from bot.platforms import console
    from bot.web.kept_port import PORT_FILE_NAME, bind_for_this_run, bind_kept
    from bot.web.server import BuiltOnFirstRequest, port_of, serving_beside
    from bot.web.signing import LinkIssuer

    lang = await _unless_stopped(_console_lang(settings), stop)
    print(f"quizmaster: {text(lang, 'console_log_file', path=files.log)}", file=sys.stderr)
    wake = asyncio.Event()
    async with AsyncExitStack() as stack:
        if not settings.web_console:
            service = await _unless_stopped(stack.enter_async_context(open_service(settings)), stop)
        else:
            bound = (
                bind_kept("127.0.0.1", settings.web_port, settings.local_dir / PORT_FILE_NAME)
                if files.owner
                else bind_for_this_run("127.0.0.1", settings.web_port)
            )
            sock = bound.sock
            stack.callback(sock.close)
            url = settings.web_url or f"http://127.0.0.1:{port_of(sock)}"
            secret = (
                settings.web_secret.get_secret_value()
                if settings.web_secret
                else secrets.token_urlsafe(32)
            )
            tokens = web_tokens(secret)
            service = await _unless_stopped(
                stack.enter_async_context(open_service(settings, sign_in=LinkIssuer(tokens, url))),
                stop,
            )
            app = BuiltOnFirstRequest(
                partial(
                    web_app,
                    settings,
                    service,
                    tokens=tokens,
                    notice_left=wake.set,  # the console's scheduler sends it at once
                )
            )
            await _unless_stopped(stack.enter_async_context(serving_beside(app, sock)), stop)
            print(f"quizmaster: {text(lang, 'console_web_page', url=url)}", file=sys.stderr)
            if not files.owner:
                print(f"quizmaster: {text(lang, 'console_beside_another')}", file=sys.stderr)
            if bound.moved_from is not None and settings.web_url is None:
                moved = text(lang, "web_address_moved", port=bound.moved_from, url=url)
                print(f"quizmaster: {moved}", file=sys.stderr)
        if stop.is_set():
            raise StoppedDuringStartUpError
        freeze_start_up()
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


def _stop_on_signals(stop: asyncio.Event, signalled: threading.Event) -> None:
    """SIGTERM (docker stop) and SIGINT (Ctrl-C) set `stop`: the platform stops taking
    messages, the ones in flight finish, sessions and the database close, and the exit is 0.
    A signal that came before the event loop was running (`signalled`) sets it at once."""
    loop = asyncio.get_running_loop()

    def request_stop(sig: signal.Signals) -> None:
        log.info("%s received: stopping", sig.name)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (a test may run the bot in another)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig)
    if signalled.is_set():  # checked after the loop took the signals over: none falls between
        request_stop(signal.SIGTERM)


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster run", description="Start the bot.")
    parser.add_argument("--platform", choices=["console", "slack", "discord"])
    parser.add_argument("--db", help="SQLite file (default ./quizmaster.db) or postgresql:// URL")
    args = parser.parse_args(argv)
    signalled = threading.Event()
    if threading.current_thread() is threading.main_thread():  # only it can take signals
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, _noting_in(signalled))
    updates: dict[str, object] = {}
    if args.platform:
        updates["platform"] = args.platform
    if args.db:
        updates["db"] = args.db
    updated = updated_or_told(settings, updates)
    if updated is None:
        return 2
    settings = updated
    missing = settings.missing_for_platform()
    if missing is not None:
        print(f"quizmaster: {missing}", file=sys.stderr)
        return 2
    return _run(settings, signalled)


def _run(settings: Settings, signalled: threading.Event) -> int:
    files = None
    if settings.platform == "console":
        files = claim(settings.local_dir)
        log_to_file(files.log, settings.log_level)
    with asyncio.Runner() as runner:
        try:
            return runner.run(_serve(settings, signalled, files))
        except StoppedDuringStartUpError:
            _exit_abandoning_threads()
        except BankError as exc:
            print(f"quizmaster: bank error: {exc}", file=sys.stderr)
            return 2
        except DatabaseUnreachableError as exc:
            print(f"quizmaster: {exc}", file=sys.stderr)
            return 2


def _exit_abandoning_threads() -> NoReturn:
    """Exit 0 now, without joining the start-up's worker threads (a model load, a calibration
    fit, reference embeddings: tens of seconds on two cores, minutes of hub retries): they hold
    nothing to finish or undo, and the database was closed while the start-up unwound. Joining
    them, as the interpreter's exit does, would outlast `docker stop`'s grace."""
    log.info("stopped during start-up; nothing was posted")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _noting_in(signalled: threading.Event) -> Callable[[int, FrameType | None], None]:
    """The handler of SIGTERM and SIGINT until the event loop takes them over: it only notes
    the signal, and the start-up stops as soon as its loop runs. Raising KeyboardInterrupt here
    instead would land wherever the main thread was, such as halfway through building the event
    loop, whose half-made object then complains on stderr as it is collected."""

    def note(signum: int, frame: FrameType | None) -> None:
        signalled.set()

    return note
