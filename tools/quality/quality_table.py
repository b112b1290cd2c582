"""The quality table: every figure with its interval, printed as one Markdown table, kept as JSON,
and compared with the committed baseline (`docs/quality.json`).

The gate: a gated figure (higher is better: an AUC, an F1, a correlation on real answers or on
the project's own held-out sets) fails when it falls below the lower end of its baseline's
interval, that is below what the baseline itself could have measured by chance. Figures that a
planned change is meant to move either way (mean grades by label, the twins) are shown, not
gated."""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.fitting.rows import HarnessError
from tools.quality.quality_stats import Estimate, Statistic, estimate, question_groups


@dataclass(frozen=True)
class Figure:
    """One line of the table. `key` names it across runs (the baseline's key); `data_set` is
    what `--only` selects; `points` figures are on the 0-100 grade scale, the others ratios."""

    key: str
    data_set: str
    part: str
    name: str
    n: int
    estimate: Estimate
    gated: bool = False
    points: bool = False

    @property
    def value(self) -> float:
        return self.estimate.value

    def as_json(self) -> dict[str, Any]:
        digits = 2 if self.points else 4
        return {
            "key": self.key,
            "data_set": self.data_set,
            "part": self.part,
            "name": self.name,
            "n": self.n,
            "value": _rounded(self.estimate.value, digits),
            "low": _rounded(self.estimate.low, digits),
            "high": _rounded(self.estimate.high, digits),
            "gated": self.gated,
            "points": self.points,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        return cls(
            key=str(data["key"]),
            data_set=str(data["data_set"]),
            part=str(data["part"]),
            name=str(data["name"]),
            n=int(data["n"]),
            estimate=Estimate(_value(data["value"]), _maybe(data["low"]), _maybe(data["high"])),
            gated=bool(data["gated"]),
            points=bool(data["points"]),
        )


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def _maybe(value: Any) -> float | None:
    return None if value is None else float(value)


def _value(value: Any) -> float:
    """A figure's value as `as_json` wrote it: None where nothing was there to measure (a mean
    over no answer)."""
    return float("nan") if value is None else float(value)


@dataclass(frozen=True)
class Fall:
    """A gated figure below its baseline's interval."""

    now: Figure
    baseline: Figure

    def describe(self) -> str:
        return (
            f"{self.now.part} · {self.now.name}: {_number(self.now, self.now.value)} is below "
            f"the baseline {_number(self.baseline, self.baseline.value)} "
            f"(interval {_interval(self.baseline)})"
        )


def falls(figures: Iterable[Figure], baseline: Sequence[Figure]) -> list[Fall]:
    """The gated figures measured now that fell below the lower end of their baseline's
    interval; a figure the baseline lacks, or whose baseline has no interval, is not judged."""
    by_key = {b.key: b for b in baseline}
    found = []
    for figure in figures:
        before = by_key.get(figure.key)
        if not figure.gated or before is None or before.estimate.low is None:
            continue
        if math.isnan(figure.value) or figure.value < before.estimate.low:
            found.append(Fall(figure, before))
    return found


def _number(figure: Figure, value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.1f}" if figure.points else f"{value:.3f}"


def _interval(figure: Figure) -> str:
    low, high = figure.estimate.low, figure.estimate.high
    if low is None or high is None:
        return "–"
    return f"{_number(figure, low)}–{_number(figure, high)}"


def markdown(figures: Sequence[Figure], baseline: Sequence[Figure] = ()) -> str:
    """The table in Markdown: one line per figure, the baseline beside it when there is one,
    and a mark on the gated figures (`gate`) and on those that fell (`**below**`)."""
    by_key = {b.key: b for b in baseline}
    fell = {f.now.key for f in falls(figures, baseline)}
    head = "| data set | part | figure | n | value | 95% interval |"
    rule = "|---|---|---|---|---|---|"
    if baseline:
        head += " baseline | gate |"
        rule += "---|---|"
    else:
        head += " gate |"
        rule += "---|"
    lines = [head, rule]
    for f in figures:
        cells = [f.data_set, f.part, f.name, str(f.n), _number(f, f.value), _interval(f)]
        if baseline:
            before = by_key.get(f.key)
            cells.append(_number(before, before.value) if before is not None else "")
        status = "**below**" if f.key in fell else ("gate" if f.gated else "")
        cells.append(status)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(path: Path, figures: Sequence[Figure], meta: dict[str, Any]) -> None:
    """The figures as JSON, with what they were measured on (`meta`: commit, model, date)."""
    data = {**meta, "figures": [f.as_json() for f in figures]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"{path}: cannot write ({exc.strerror})") from None


def read_report(path: Path) -> list[Figure]:
    """The figures of a report or baseline file; none when the file is not there (a baseline
    `--save-baseline` writes for the first time)."""
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Figure.from_json(item) for item in data["figures"]]
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise HarnessError(f"{path}: not a quality report ({type(exc).__name__}: {exc})") from None


def merged(baseline: Sequence[Figure], figures: Sequence[Figure]) -> list[Figure]:
    """`baseline` with the data sets measured now replaced by their new figures, so a baseline
    refreshed for one data set keeps the others."""
    measured = {f.data_set for f in figures}
    return [*(b for b in baseline if b.data_set not in measured), *figures]


def measured(
    *,
    key: str,
    data_set: str,
    part: str,
    name: str,
    statistic: Statistic,
    questions: Sequence[Hashable],
    gated: bool = False,
    points: bool = False,
    n: int | None = None,
) -> Figure:
    """A figure of the rows whose questions are `questions` (one key per row), with its
    interval from resampling those questions; `n`, the rows it counts (default: all)."""
    return Figure(
        key=key,
        data_set=data_set,
        part=part,
        name=name,
        n=len(questions) if n is None else n,
        estimate=estimate(statistic, question_groups(questions)),
        gated=gated,
        points=points,
    )
