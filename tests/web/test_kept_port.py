"""The console's web page keeps its address from one start to the next when the port asked for
is taken (issue 70 item 15): real listening sockets on loopback, the port written beside the
database, and the console's note, in both languages, when even the kept port is taken."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.core.texts import text
from bot.web.kept_port import PORT_FILE_NAME, bind_kept
from bot.web.server import port_of

HOST = "127.0.0.1"


def _another_program() -> socket.socket:
    """A port held by someone else: listening on a free loopback port."""
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind((HOST, 0))
    held.listen()
    return held


def _start(asked: int, kept: Path) -> tuple[int, int | None]:
    """One start's port and the port it says it moved from; its socket closed, as at exit."""
    bound = bind_kept(HOST, asked, kept)
    with bound.sock:
        return port_of(bound.sock), bound.moved_from


def test_a_port_taken_in_place_of_a_busy_one_is_kept_for_the_next_starts(tmp_path: Path) -> None:
    kept = tmp_path / PORT_FILE_NAME
    with _another_program() as holder:
        asked = port_of(holder)
        chosen, moved = _start(asked, kept)
        assert chosen != asked and moved is None
        assert _start(asked, kept) == (chosen, None)  # restarted: the same address
    assert _start(asked, kept) == (chosen, None)  # the asked port free again: still the same
    assert _start(0, kept)[1] is None  # port 0: any free port at each start
    assert kept.read_text().split() == [str(asked), str(chosen)]  # the other start's, kept


def test_when_the_kept_port_is_taken_too_the_start_says_the_address_changed(
    tmp_path: Path,
) -> None:
    kept = tmp_path / PORT_FILE_NAME
    with _another_program() as holder:
        asked = port_of(holder)
        chosen, _ = _start(asked, kept)
        taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with taken:
            taken.bind((HOST, chosen))
            taken.listen()
            now, moved = _start(asked, kept)
        assert moved == chosen and now not in (chosen, asked)
        assert _start(asked, kept) == (now, None)  # the new address is the one kept now
    url = f"http://{HOST}:{now}"
    english = text("en", "web_address_moved", port=chosen, url=url)
    assert english.startswith(f"The web page's address changed to {url}: port {chosen}")
    assert f"{chosen}번 포트" in text("ko", "web_address_moved", port=chosen, url=url)


def test_a_first_start_on_the_asked_port_writes_nothing(tmp_path: Path) -> None:
    kept = tmp_path / PORT_FILE_NAME
    with _another_program() as holder:
        free = port_of(holder)
    assert _start(free, kept) == (free, None)
    assert not kept.exists()
