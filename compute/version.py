"""Versions: of the service (shown by /healthz) and of each demo's code (part of cache keys)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
from functools import cache

from compute.catalog import Demo


@cache
def service_version() -> str:
    """The installed package version; a source checkout that was never installed says so."""
    try:
        return importlib.metadata.version("quizmaster")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0+source"


@cache
def code_version(demo: Demo) -> str:
    """A hash of the demo's module source, so editing a demo invalidates its cached results."""
    module = inspect.getmodule(demo.run)
    try:
        source = inspect.getsource(module) if module is not None else ""
    except (OSError, TypeError):
        source = ""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return f"{service_version()}-{digest}"
