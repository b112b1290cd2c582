"""One output format for every benchmark: an aligned table for people, and with `--json` one JSON
object as the last stdout line, so scripts and tests can read the numbers without parsing text."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Cell = str | int | float | bool | None
Payload = Mapping[str, object]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: no interpolation, so p99 of 2000 samples is a real sample."""
    if not values:
        raise ValueError("percentile of no samples")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _cell(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def render(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """Columns padded to their widest cell; booleans read yes/NO so a missed target stands out."""
    cells = [list(headers), *([_cell(v) for v in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


@dataclass(frozen=True)
class Outcome:
    """What a benchmark found: the table people read and the payload scripts read."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    payload: Payload
    notes: Sequence[str] = field(default_factory=tuple)


def report(outcome: Outcome, *, as_json: bool) -> None:
    """Print the table and notes; with `as_json` the payload follows as the final line."""
    print(f"== {outcome.title} ==")
    print(render(outcome.headers, outcome.rows))
    for note in outcome.notes:
        print(f"note: {note}")
    if as_json:
        print(json.dumps(outcome.payload, ensure_ascii=False, default=str, allow_nan=False))
