"""Joining a Ray cluster, or starting a small local one that only this machine can reach.

A local instance binds loopback only and requires a token that lives in this process's
environment (inherited by Ray's own processes), so no other host can reach it and no other
user on this host can submit work to it; nothing is written to ~/.ray.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("quizmaster.compute")

LOOPBACK = "127.0.0.1"
_PREPARED = "QUIZMASTER_RAY_LOCAL_PREPARED"
"""Set once this process's environment holds a local instance's settings."""


class ImportedTooEarlyError(RuntimeError):
    """`ray` was imported before a local instance's settings could be put in place."""


def prepare(address: str) -> None:
    """Before `ray` is imported: for an empty address (a local instance to start), the settings
    Ray reads once, at import. Nothing to do when this process is connected already."""
    if address or os.environ.get(_PREPARED) == "1":
        return
    loaded = sys.modules.get("ray")
    if loaded is not None and loaded.is_initialized():
        return
    loopback_environment()


def loopback_environment() -> None:
    """Settings Ray reads from the environment at import, set before `ray` is first imported.

    Ray turns a loopback node address into the machine's external one (so other nodes could
    join) unless cluster mode is off, and its default token is saved under ~/.ray; a local
    instance needs neither. Ray's own processes inherit both."""
    if "ray" in sys.modules:
        raise ImportedTooEarlyError(
            "ray was imported before its local-instance settings were set; "
            "call compute.cluster.connect.prepare('') first"
        )
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    if "RAY_AUTH_TOKEN" not in os.environ and "RAY_AUTH_TOKEN_PATH" not in os.environ:
        os.environ.setdefault("RAY_AUTH_MODE", "token")
        os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    os.environ[_PREPARED] = "1"


def start_local(
    *, num_cpus: int | None = None, num_gpus: int | None = None, object_store_mb: int | None = None
) -> None:
    """A new single-node Ray instance on loopback, without dashboard."""
    prepare("")
    import ray

    with _signal_handlers_kept():
        ray.init(
            num_cpus=num_cpus,
            num_gpus=num_gpus,
            object_store_memory=None if object_store_mb is None else object_store_mb * 1024 * 1024,
            include_dashboard=False,
            log_to_driver=False,
            _node_ip_address=LOOPBACK,
        )
    log.info("ray: started a local instance on %s", LOOPBACK)


def connect(address: str) -> bool:
    """Join `address` (auto or host:port), or start a local instance when it is empty.
    True when this call started or joined Ray (so the caller shuts it down), False when this
    process was already connected."""
    import ray

    if ray.is_initialized():
        return False
    if not address:
        start_local()
        return True
    with _signal_handlers_kept():
        ray.init(address=address, log_to_driver=False)
    log.info("ray: joined the cluster at %s", address)
    return True


@contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    """`ray.init` installs a crash handler for SIGTERM that aborts the process; the service's own
    handlers (uvicorn's drain, exit 0 on `docker stop`) are put back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in kept.items():
            if handler is not None:
                signal.signal(sig, handler)
