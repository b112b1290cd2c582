"""Which bot processes are serving, for `quizmaster doctor`: each process writes a heartbeat
into the shared database on every scheduler tick, and removes it when it stops cleanly.

Replicas need no leader (claims in the database decide who posts and who grades), so the list is
for the people running them: how many are up, on which hosts, and when each was last heard from.
One that died shows until its last heartbeat is older than `ALIVE_WITHIN`.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

MISSED_TICKS = 3
ALIVE_WITHIN = timedelta(seconds=90)
"""`MISSED_TICKS` default scheduler ticks: a replica that missed three heartbeats is counted as
gone."""


@dataclass(frozen=True)
class ReplicaRow:
    """A bot process serving a platform on the shared database, as its last heartbeat said."""

    id: str
    platform: str
    host: str
    pid: int
    started_at: datetime
    seen_at: datetime


class ReplicaStore(Protocol):
    """Each bot process's heartbeat (`bot.core.flow.replicas`)."""

    async def heartbeat(self, replica: ReplicaRow) -> None:
        """Record that this bot process is alive (`seen_at`), adding it the first time."""
        ...

    async def forget_replica(self, *, replica_id: str) -> None:
        """A process that stops cleanly leaves the list at once."""
        ...

    async def replicas(self) -> list[ReplicaRow]:
        """Every heartbeat on record (`bot.core.flow.replicas.alive` picks the live ones)."""
        ...


def silent_since(now: datetime, tick_s: float) -> datetime:
    """A replica whose last heartbeat is older than this missed `MISSED_TICKS` ticks: it is gone
    (killed, or cut off), and the messages it claimed but did not finish are taken over."""
    return now - timedelta(seconds=MISSED_TICKS * tick_s)


def new_replica_id() -> str:
    """Host and pid (what an operator looks for) and a random part, since a restarted container
    may reuse both."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def this_process(platform: str, now: datetime, replica_id: str | None = None) -> ReplicaRow:
    """This process as a replica, under the id its claims carry (a new one if None)."""
    host = socket.gethostname()
    pid = os.getpid()
    return ReplicaRow(
        id=replica_id or new_replica_id(),
        platform=platform,
        host=host,
        pid=pid,
        started_at=now,
        seen_at=now,
    )


def alive(replicas: list[ReplicaRow], now: datetime) -> list[ReplicaRow]:
    """The replicas heard from within `ALIVE_WITHIN` of `now`, most recently started first."""
    fresh = [r for r in replicas if now - r.seen_at <= ALIVE_WITHIN]
    return sorted(fresh, key=lambda r: r.started_at, reverse=True)
