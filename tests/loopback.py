"""Ports on 127.0.0.1 for tests that need a service to be down, or a port to start one on."""

from __future__ import annotations

import socket


def unused_port() -> int:
    """A loopback port nothing listens on once this returns (the OS just handed it out)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
