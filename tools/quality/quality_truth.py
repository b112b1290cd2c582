"""The truth set in the quality table and in `quizmaster eval truth`: each half graded live, and
read as what its grades say (`truth_set.statements`): per kind of statement, the share that is
true; true statements per answer; each kind of answer within its band, per language; and how
far apart the two languages of a translation pair grade."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluators.scoring import Explanation
from evaluators.service import EmbeddingGrader
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import Indices, Statistic
from tools.quality.quality_table import Figure, measured
from tools.quality.truth_set import (
    HALVES,
    Half,
    Statement,
    TruthRow,
    prompt_of,
    read_half,
    statements,
    truth_bank,
)

STATEMENT_KINDS = (
    "covered",
    "missed",
    "misconception",
    "swapped",
    "another question",
    "non-answer",
)
BANDS: dict[str, tuple[int, int]] = {
    "complete": (80, 100),
    "half": (35, 75),
    "typos": (35, 100),
    "misconception": (0, 40),
    "swap": (0, 40),
    "non_answer": (0, 10),
}
"""The scores each kind of answer should get: a complete answer reads as right, a half one as
partial, a sloppy right one at least partial, a wrong one as wrong, a non-answer as nothing."""


@dataclass(frozen=True)
class Told:
    """A row, its grade's explanation, and what the grade says of it."""

    row: TruthRow
    explanation: Explanation
    said: tuple[Statement, ...]


async def graded(grader: EmbeddingGrader, rows: Sequence[TruthRow]) -> list[Told]:
    """Every row graded live with its feedback in its own language, as a channel grades it."""
    bank = truth_bank()
    prompts = [prompt_of(row, bank) for row in rows]
    await grader.prepare(bank)
    try:
        scored = await asyncio.gather(
            *(
                grader.explain(p, row.answer, lang=row.lang)
                for row, p in zip(rows, prompts, strict=True)
            )
        )
    finally:
        await grader.aclose()
    return [
        Told(row, s.explanation, tuple(statements(row, s.explanation)))
        for row, s in zip(rows, scored, strict=True)
    ]


def _precision(results: Sequence[Told], kind: str) -> Statistic:
    true = np.array([sum(s.true for s in t.said if s.kind == kind) for t in results], float)
    said = np.array([sum(s.kind == kind for s in t.said) for t in results], float)

    def statistic(rows: Indices) -> float:
        total = said[rows].sum()
        return float(true[rows].sum() / total) if total else float("nan")

    return statistic


def _per_answer(results: Sequence[Told]) -> Statistic:
    true = np.array([sum(s.true for s in t.said) for t in results], float)
    return lambda rows: float(true[rows].mean())


def _in_band(results: Sequence[Told]) -> Statistic:
    inside = np.array(
        [BANDS[t.row.kind][0] <= t.explanation.score <= BANDS[t.row.kind][1] for t in results],
        float,
    )
    return lambda rows: float(inside[rows].mean())


def pair_gaps(results: Sequence[Told]) -> list[tuple[str, int]]:
    """Each translation pair's question and how many points its two languages grade apart."""
    by_pair: dict[str, list[Told]] = {}
    for told in results:
        if told.row.pair is not None:
            by_pair.setdefault(told.row.pair, []).append(told)
    return [
        (pair[0].row.question, abs(pair[0].explanation.score - pair[1].explanation.score))
        for pair in by_pair.values()
        if len(pair) == 2
    ]


def figures(half: Half, results: Sequence[Told]) -> list[Figure]:
    """The half's rows of the quality table."""
    data_set = "truth"
    part = f"truth set, {half} half"
    questions = [t.row.question for t in results]
    out = []
    for kind in STATEMENT_KINDS:
        said = sum(s.kind == kind for t in results for s in t.said)
        if not said:
            continue
        out.append(
            measured(
                key=f"truth/{half}/{kind}/precision",
                data_set=data_set,
                part=part,
                name=f"“{kind}” statements true ({said} said)",
                statistic=_precision(results, kind),
                questions=questions,
                gated=True,
                n=said,
            )
        )
    out.append(
        measured(
            key=f"truth/{half}/true_per_answer",
            data_set=data_set,
            part=part,
            name="true statements per answer",
            statistic=_per_answer(results),
            questions=questions,
            gated=True,
        )
    )
    for kind, (low, high) in BANDS.items():
        for lang in ("ko", "en"):
            rows = [t for t in results if t.row.kind == kind and t.row.lang == lang]
            if not rows:
                continue
            out.append(
                measured(
                    key=f"truth/{half}/{kind}/{lang}/in_band",
                    data_set=data_set,
                    part=part,
                    name=f"{kind} answers ({lang}) graded {low}-{high}",
                    statistic=_in_band(rows),
                    questions=[t.row.question for t in rows],
                    gated=True,
                )
            )
    gaps = pair_gaps(results)
    if gaps:
        points = np.array([g for _, g in gaps], float)
        out.append(
            measured(
                key=f"truth/{half}/pair_gap",
                data_set=data_set,
                part=part,
                name="translation pairs: mean points apart (lower is better)",
                statistic=lambda rows: float(points[rows].mean()),
                questions=[q for q, _ in gaps],
                points=True,
            )
        )
    return out


async def truth(run: QualityRun) -> list[Figure]:
    """Both halves of the truth set, each its own rows of the table."""
    out = []
    for half in HALVES:
        out += figures(half, await graded(run.grader(), read_half(half)))
    return out


def listing(results: Sequence[Told], *, only_false: bool) -> str:
    """Each answer's score against its band and every statement its grade makes, a false one
    marked ✗ (with `only_false`, only the answers out of band or with a false statement)."""
    lines = []
    for told in results:
        row, score = told.row, told.explanation.score
        low, high = BANDS[row.kind]
        band = low <= score <= high
        if only_false and band and all(s.true for s in told.said):
            continue
        lines.append(
            f"{row.id} {row.prompt} {row.lang} {row.kind}: {score} "
            f"({'in' if band else 'OUT of'} band {low}-{high}) "
            f"flags={','.join(f.value for f in told.explanation.flags) or '-'}"
        )
        lines.append(f"    {row.answer[:160]}")
        lines += [f"    {'✓' if s.true else '✗'} {s.kind}: {s.said}" for s in told.said]
    return "\n".join(lines)


def summary(results: Sequence[Told]) -> str:
    """One line per kind of statement, then true statements per answer and the bands."""
    lines = []
    for kind in STATEMENT_KINDS:
        said = [s for t in results for s in t.said if s.kind == kind]
        if said:
            true = sum(s.true for s in said)
            lines.append(f"{kind}: {true}/{len(said)} true ({true / len(said):.3f})")
    per = sum(s.true for t in results for s in t.said) / max(1, len(results))
    lines.append(f"true statements per answer: {per:.2f}")
    for kind, (low, high) in BANDS.items():
        for lang in ("ko", "en"):
            rows = [t for t in results if t.row.kind == kind and t.row.lang == lang]
            inside = sum(low <= t.explanation.score <= high for t in rows)
            if rows:
                lines.append(f"{kind} {lang}: {inside}/{len(rows)} in {low}-{high}")
    gaps = [g for _, g in pair_gaps(results)]
    if gaps:
        lines.append(f"translation pairs: mean {np.mean(gaps):.1f} points apart, max {max(gaps)}")
    return "\n".join(lines)
