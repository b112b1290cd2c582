"""Which console owns the files beside its database: the log (`quizmaster.log`) and the web
page's kept port (`bot.web.kept_port`).

The first console started on a database holds a lock on its log for as long as it runs (an
advisory `flock`, which the system drops when the process ends, even when it is killed).
Another console started beside it on the same database (the README's piped example while
`make run` runs) finds the lock held: it logs to a file of its own, `quizmaster-<pid>.log`, so
the two never interleave, and serves its page on a port for this run only, leaving the kept
port as the first one wrote it, so the running bot's address does not move."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.logs import LOG_FILE_NAME


@dataclass(frozen=True)
class ConsoleFiles:
    """Where this console logs, and whether it owns the files beside the database."""

    log: Path
    owner: bool
    """False: another console runs on this database; this one keeps no port for the next."""


_held: dict[Path, IO[bytes]] = {}
"""The open logs whose locks this process holds: kept open, and so locked, until it exits."""


def claim(local_dir: Path) -> ConsoleFiles:
    """The log and ownership of a console on the database in `local_dir`: the shared log and
    ownership when no other console holds it, else a log of this process's own."""
    local_dir.mkdir(parents=True, exist_ok=True)
    shared = (local_dir / LOG_FILE_NAME).resolve()
    if shared in _held:
        return ConsoleFiles(shared, owner=True)
    handle = shared.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        name = f"{Path(LOG_FILE_NAME).stem}-{os.getpid()}{Path(LOG_FILE_NAME).suffix}"
        return ConsoleFiles(local_dir / name, owner=False)
    _held[shared] = handle
    return ConsoleFiles(shared, owner=True)
