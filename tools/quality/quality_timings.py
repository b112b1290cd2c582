"""The timings row of the quality table: `quizmaster bench grading --json`'s throughput ratio of
the grader to the bare model's encode of the same answers. The bench lives beside the product
(`tools/bench/`), so the table reads what it printed (`make quality` runs it first) instead of
importing it. Its interval is the range of the bench's rounds, not a bootstrap."""

from __future__ import annotations

import json
from typing import Any

from evaluators.fitting.rows import HarnessError
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import Estimate
from tools.quality.quality_table import Figure

TARGET = 0.8


async def timings(run: QualityRun) -> list[Figure]:
    assert run.timings is not None
    try:
        lines = run.timings.read_text(encoding="utf-8").strip().splitlines()
        payload: dict[str, Any] = json.loads(lines[-1])
        throughput = payload["throughput"]
        ratio = float(throughput["ratio"])
        rounds = [float(r) for r in throughput["round_ratios"]]
        answers = int(payload["answers"])
    except (OSError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise HarnessError(
            f"{run.timings}: not what `quizmaster bench grading --json` prints "
            f"({type(exc).__name__}: {exc})"
        ) from None
    return [
        Figure(
            key="timings/grading/ratio",
            data_set="timings",
            part=f"bench grading, {payload.get('model', 'the model')} "
            f"on {payload.get('device', '?')}",
            name=f"answers/s, ratio to raw encode (target ≥ {TARGET}; interval: its rounds)",
            n=answers,
            estimate=Estimate(ratio, min(rounds), max(rounds)),
        )
    ]
