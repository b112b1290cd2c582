"""The console's web page on the same address from one start to the next.

When the port asked for (QUIZMASTER_WEB_PORT, 8780) is taken, the page is served on another one
the system hands out, and that port is written beside the database (`PORT_FILE_NAME`). The next
start takes the written port again before anything else, so a bookmark or an open tab keeps
working; only when that one is taken too does the address change, and the caller says so.
Port 0 asks for any free port at every start: nothing is kept. A console started beside another
on the same database (`bot.console_files`) keeps nothing either (`bind_for_this_run`): the port
kept is the running one's, and a second process rewriting it moved the running bot's address."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from bot.web.server import bind, port_of

log = logging.getLogger("quizmaster.web")

PORT_FILE_NAME = "quizmaster-web-port"


@dataclass(frozen=True)
class Bound:
    """The listening socket, and the port the last start served on when this one could not."""

    sock: socket.socket
    moved_from: int | None


def bind_kept(host: str, asked: int, kept: Path) -> Bound:
    """A listening socket on the port the last start served on (when it was started with the
    same `asked`), else on `asked`, else on any free port; the port is written to `kept`."""
    if asked == 0:
        return Bound(bind(host, 0, any_port_if_busy=False), None)
    last = _last(kept, asked)
    sock = None
    if last is not None and last != asked:
        try:
            sock = bind(host, last, any_port_if_busy=False)
        except OSError:
            log.warning("web port %d (kept from the last start) is busy", last)
    if sock is None:
        sock = bind(host, asked, any_port_if_busy=True)
    port = port_of(sock)
    if port != (asked if last is None else last):  # a first start on the asked port writes none
        _keep(kept, asked, port)
    return Bound(sock, last if last is not None and last != port else None)


def bind_for_this_run(host: str, asked: int) -> Bound:
    """A listening socket on `asked`, else on any free port, for this run only: the kept port
    is neither read nor written."""
    return Bound(bind(host, asked, any_port_if_busy=True), None)


def _last(kept: Path, asked: int) -> int | None:
    """The port written by a start that asked for `asked`; None for none (or an unreadable
    file: the page starts as on a first start)."""
    try:
        written = kept.read_text(encoding="utf-8").split()
    except OSError:
        return None
    if len(written) != 2 or not all(w.isdigit() for w in written):
        return None
    was_asked, port = (int(w) for w in written)
    return port if was_asked == asked and 0 < port < 65536 else None


def _keep(kept: Path, asked: int, port: int) -> None:
    try:
        kept.write_text(f"{asked} {port}\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not keep the web port in %s (%s): the next start may move", kept, exc)
