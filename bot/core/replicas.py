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
from datetime import datetime, timedelta

from bot.core.models import ReplicaRow

ALIVE_WITHIN = timedelta(seconds=90)
"""Three scheduler ticks: a replica that missed three heartbeats is counted as gone."""


def this_process(platform: str, now: datetime) -> ReplicaRow:
    """This process as a replica: host and pid (what an operator looks for) and a random part,
    since a restarted container may reuse both."""
    host = socket.gethostname()
    pid = os.getpid()
    return ReplicaRow(
        id=f"{host}:{pid}:{secrets.token_hex(3)}",
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
