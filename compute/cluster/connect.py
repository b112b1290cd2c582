"""Joining a Ray cluster, or starting a small local one that only this machine can reach.

A local instance binds loopback only and requires a token that lives in this process's
environment (inherited by Ray's own processes), so no other host can reach it and no other
user on this host can submit work to it; nothing is written to ~/.ray.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys

log = logging.getLogger("quizmaster.compute")

LOOPBACK = "127.0.0.1"


def loopback_environment() -> None:
    """Settings Ray reads from the environment, set before `ray` is first imported.

    Ray turns a loopback node address into the machine's external one (so other nodes could
    join) unless cluster mode is off, and its default token is saved under ~/.ray; a local
    instance needs neither. Ray reads the first at import, its children read the environment;
    where `ray` was imported already, its constant is set to match."""
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:
        flag = os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"].lower()
        setattr(constants, "ENABLE_RAY_CLUSTER", flag in {"1", "true"})  # noqa: B010
    if "RAY_AUTH_TOKEN" not in os.environ and "RAY_AUTH_TOKEN_PATH" not in os.environ:
        os.environ.setdefault("RAY_AUTH_MODE", "token")
        os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)


def start_local(
    *, num_cpus: int | None = None, num_gpus: int | None = None, object_store_mb: int | None = None
) -> None:
    """A new single-node Ray instance on loopback, without dashboard."""
    loopback_environment()
    import ray

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
    loaded = sys.modules.get("ray")
    if loaded is not None and loaded.is_initialized():
        return False
    if not address:
        start_local()
        return True
    import ray

    ray.init(address=address, log_to_driver=False)
    log.info("ray: joined the cluster at %s", address)
    return True
