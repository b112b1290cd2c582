"""KorSTS dev in the quality table: a check of the model alone, not of the grader. The Spearman
of the model's cosine of two Korean sentences against people's 0-5 similarity says how well the
model reads Korean meaning; it moves only when the model does. Pairs are independent sentences,
so the interval resamples pairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.fitting.correlation import spearman
from evaluators.fitting.rows import FieldError, number_field, read_jsonl, text_field
from tools.quality.quality_run import QualityRun
from tools.quality.quality_table import Figure, measured

FILE = "korsts_dev.jsonl"


@dataclass(frozen=True)
class Pair:
    s1: str
    s2: str
    score: float


SIMILARITY_MAX = 5.0
"""KorSTS's people rate a pair's similarity from 0 (unrelated) to 5 (the same meaning)."""


def _pair(data: dict[str, Any], _line: str) -> Pair:
    score = number_field(data, "score")
    if not 0 <= score <= SIMILARITY_MAX:
        raise FieldError("score", f"must be from 0 to {SIMILARITY_MAX:g}, not {score:g}")
    return Pair(text_field(data, "s1"), text_field(data, "s2"), score)


def read_pairs(path: Path) -> list[Pair]:
    return read_jsonl(path, _pair)


async def korsts(run: QualityRun) -> list[Figure]:
    pairs = read_pairs(run.data / FILE)
    cosines = run.cosines([p.s1 for p in pairs], [p.s2 for p in pairs])
    people = np.array([p.score for p in pairs])
    return [
        measured(
            key="korsts/spearman",
            data_set="korsts",
            part="KorSTS dev, the model alone (no grader)",
            name="Spearman, cosine vs similarity",
            statistic=lambda rows: spearman(cosines[rows], people[rows]),
            questions=range(len(pairs)),
            gated=True,
        )
    ]
