"""A pytest plugin that ends a run with the CPU seconds each test file spent: the test process's
own and that of the processes it started and waited for (a bot, a compute service, a CLI).
`--durations` gives wall time, which under `make test`'s three workers on two cores counts a
test's waiting as much as its work: a test waiting on another worker's encode looked like two
minutes of it. The CPU seconds say where the suite's time goes and what a change saves.

Each xdist worker sends its sums to the controller when it stops (`workeroutput`); a run without
xdist sums in its own process. Registered by `tests/conftest.py`."""

from __future__ import annotations

import json
import resource
from collections.abc import Generator
from typing import Any

import pytest

SHOWN = 15
"""How many files the summary lists, the most CPU first."""
_KEY = "cpu_by_file"
_SUMS = pytest.StashKey[dict[str, float]]()


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime


def _sums(config: pytest.Config) -> dict[str, float]:
    return config.stash.setdefault(_SUMS, {})


def _add(sums: dict[str, float], more: dict[str, float]) -> None:
    for path, seconds in more.items():
        sums[path] = sums.get(path, 0.0) + seconds


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """Set-up, call and tear-down of one test, charged to its file (a module fixture's set-up
    to the file's first test, a session fixture's to the first test that asks for it)."""
    before = _cpu_seconds()
    yield
    _add(_sums(item.config), {item.nodeid.split("::")[0]: _cpu_seconds() - before})


def pytest_sessionfinish(session: pytest.Session) -> None:
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[_KEY] = json.dumps(_sums(session.config))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A worker stopped: add what its tests spent (xdist's hook, absent without xdist)."""
    sent = getattr(node, "workeroutput", {}).get(_KEY)
    if sent:
        _add(_sums(node.config), json.loads(sent))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workeroutput"):
        return
    sums = _sums(config)
    if not sums:
        return
    total = sum(sums.values())
    shown = min(SHOWN, len(sums))
    terminalreporter.write_sep(
        "=", f"CPU seconds by test file: {total:,.0f} s in all, the {shown} files that spent most"
    )
    for path, seconds in sorted(sums.items(), key=lambda item: -item[1])[:SHOWN]:
        terminalreporter.write_line(f"{seconds:8.1f}s  {path}")
