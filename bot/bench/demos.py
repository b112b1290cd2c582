"""`bench demos`: every demo at its defaults, a cached repeat through the real compute service,
and for a few demos the overhead of the demo around its bare training loop.

The overhead reference exists only where the training is a separable function the demo calls
(numpy-mlp, optimizers, gradient-descent): timing the same function alone, in the same process,
shows what plotting, progress and result building add. Writing a twin script for every demo would
measure the twin, not the demo.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Mapping
from functools import partial

from bot.bench.table import Cell, Outcome, report
from bot.config import Settings
from compute.catalog import Demo, catalog
from compute.client import ComputeClient
from compute.embedded import embedded_service

RUN_TARGET_S = 20.0
CACHED_TARGET_MS = 200.0
OVERHEAD_TARGET = 1.2


def _numpy_mlp_reference() -> None:
    """The demo's training call with the same data and defaults, minus plots and line counting."""
    from compute.demos.numpy_mlp import NumpyMlpParams, train_at

    train_at(NumpyMlpParams(), lambda epoch, loss, accuracy: None)


def _optimizers_reference() -> None:
    """The four torch optimizer trajectories the demo draws, minus the contour plot."""
    from compute.demos.optimizers import COLORS, OptimizersParams, trajectory

    p = OptimizersParams()
    for name in COLORS:
        trajectory(p.surface, name, p)


def _gradient_descent_reference() -> None:
    """The three descents the demo draws, minus the figure."""
    from compute.demos.gradient_descent import GradientDescentParams, descend

    p = GradientDescentParams()
    for lr in (p.lr_small, p.lr_good, p.lr_large):
        descend(lr, p.w0, p.steps)


REFERENCES: Mapping[str, Callable[[], None]] = {
    "numpy-mlp": _numpy_mlp_reference,
    "optimizers": _optimizers_reference,
    "gradient-descent": _gradient_descent_reference,
}


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _run_at_defaults(demo: Demo) -> None:
    demo.run(demo.params(), lambda fraction, message: None)


async def cached_repeat(settings: Settings, name: str) -> tuple[float, float, bool]:
    """Submit the same demo twice to an embedded service: (first s, second ms, second cached).
    The first runs in a worker process; the second must come straight from the result cache."""
    async with (
        embedded_service(settings) as endpoint,
        ComputeClient(endpoint.url, token=endpoint.token) as client,
    ):
        start = time.perf_counter()
        ticket = await client.submit(name)
        await client.wait(ticket.id, poll=0.05, timeout=120.0)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        ticket = await client.submit(name)
        status = await client.wait(ticket.id, poll=0.05, timeout=120.0)
        second_ms = (time.perf_counter() - start) * 1000
    return first_s, second_ms, ticket.cached and status.cached


def measure(settings: Settings, names: list[str], cache_demo: str) -> Outcome:
    demos = catalog()  # imports every demo module (torch, matplotlib) before any timing
    rows: list[list[Cell]] = []
    runs: dict[str, dict[str, object]] = {}
    for name in names:
        demo = demos[name]
        run_s = _timed(partial(_run_at_defaults, demo))
        entry: dict[str, object] = {
            "seconds": round(run_s, 3),
            "target_met": run_s <= RUN_TARGET_S,
        }
        ref_s: float | None = None
        overhead: float | None = None
        reference = REFERENCES.get(name)
        if reference is not None:
            ref_s = _timed(reference)
            overhead = run_s / ref_s
            entry |= {
                "reference_seconds": round(ref_s, 4),
                "overhead": round(overhead, 2),
                "overhead_target_met": overhead <= OVERHEAD_TARGET,
            }
        runs[name] = entry
        rows.append(
            [
                name,
                run_s,
                run_s <= RUN_TARGET_S,
                ref_s,
                overhead,
                None if overhead is None else overhead <= OVERHEAD_TARGET,
            ]
        )
    first_s, second_ms, hit = asyncio.run(cached_repeat(settings, cache_demo))
    cached_met = hit and second_ms < CACHED_TARGET_MS
    rows.append(
        [f"{cache_demo} via service, 1st", first_s, None, None, None, None],
    )
    rows.append(
        [f"{cache_demo} via service, 2nd (ms)", second_ms, cached_met, None, None, None],
    )
    with_reference = [n for n in names if n in REFERENCES]
    payload = {
        "bench": "demos",
        "demos": runs,
        "run_target": f"<= {RUN_TARGET_S:g} s",
        "all_runs_target_met": all(bool(e["target_met"]) for e in runs.values()),
        "overhead_target": f"<= {OVERHEAD_TARGET}x",
        "with_reference": with_reference,
        "cached_repeat": {
            "demo": cache_demo,
            "first_s": round(first_s, 3),
            "second_ms": round(second_ms, 2),
            "cache_hit": hit,
            "target": f"< {CACHED_TARGET_MS:g} ms",
            "target_met": cached_met,
        },
    }
    return Outcome(
        title=f"demos: {len(names)} at defaults, in-process Demo.run",
        headers=["demo", "seconds", f"<= {RUN_TARGET_S:g}s", "reference s", "overhead", "<= 1.2x"],
        rows=rows,
        payload=payload,
        notes=[
            "reference (bare training loop, same defaults) only for: "
            + (", ".join(with_reference) or "none of the selected demos"),
            f"the 2nd service submission must be a cache hit under {CACHED_TARGET_MS:g} ms "
            f"(cache hit: {'yes' if hit else 'NO'})",
        ],
    )


def main(argv: list[str], settings: Settings) -> int:
    names = sorted(catalog())
    parser = argparse.ArgumentParser(
        prog="quizmaster bench demos",
        description="Each demo at defaults, a cached repeat, overhead vs a reference.",
    )
    parser.add_argument("--only", nargs="+", choices=names, metavar="NAME", help="demos to run")
    parser.add_argument("--cache-demo", choices=names, help="demo for the cached repeat")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    chosen: list[str] = args.only or names
    report(measure(settings, chosen, args.cache_demo or chosen[0]), as_json=args.json)
    return 0
