"""The web page's charts as inline SVG, drawn here rather than by matplotlib: a few
rectangles and lines render in well under a millisecond, scale to a phone's width, and need no
image request. Every chart is `role="img"` with a title, and its page shows the same figures
in a table beside it (the text equivalent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from bot.core.member_text import cut

WIDTH = 480
ROW = 32
LABEL_WIDTH = 170
LINE_HEIGHT = 220
PAD = 36
NAME_CHARS = 20


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: drawn as no bar, with `shown` as its label
    shown: str


def _short(name: str) -> str:
    return cut(name, NAME_CHARS)


def _open(width: int, height: int, title: str, chart_id: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )


def bar_chart(
    bars: Sequence[Bar], *, title: str, chart_id: str, maximum: float | None = None
) -> str:
    """Horizontal bars, one row each, the value's text at the bar's end."""
    height = max(ROW * len(bars) + 10, ROW)
    top = maximum if maximum is not None else max((b.value or 0.0 for b in bars), default=0.0)
    span = WIDTH - LABEL_WIDTH - 70
    parts = [_open(WIDTH, height, title, chart_id)]
    for index, bar in enumerate(bars):
        y = 5 + index * ROW
        width = 0.0 if not bar.value or top <= 0 else span * bar.value / top
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 21}" text-anchor="end" class="label">'
            f"{escape(_short(bar.label))}</text>"
        )
        if width > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width:.1f}" height="{ROW - 10}" '
                'class="bar" rx="3"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 21}" class="value">'
            f"{escape(bar.shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(points: Sequence[tuple[date, int]], *, title: str, chart_id: str) -> str:
    """A value per day, days spaced evenly, the first and last day and the highest value
    written on the axes."""
    parts = [_open(WIDTH, LINE_HEIGHT, title, chart_id)]
    if points:
        top = max(value for _, value in points) or 1
        inner_w, inner_h = WIDTH - 2 * PAD, LINE_HEIGHT - 2 * PAD
        step = inner_w / max(len(points) - 1, 1)

        def xy(index: int, value: int) -> tuple[float, float]:
            x = PAD + (index * step if len(points) > 1 else inner_w / 2)
            return x, PAD + inner_h * (1 - value / top)

        coords = [xy(i, v) for i, (_, v) in enumerate(points)]
        parts.append(
            f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{WIDTH - PAD}" y2="{PAD + inner_h}" '
            'class="axis"/>'
        )
        parts.append(f'<text x="4" y="{PAD + 4}" class="value">{top}</text>')
        parts.append(
            '<polyline class="line" fill="none" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            + '"/>'
        )
        if len(points) <= 60:
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"/>' for x, y in coords]
        first, last = points[0][0].isoformat(), points[-1][0].isoformat()
        parts.append(f'<text x="{PAD}" y="{LINE_HEIGHT - 8}" class="label">{first}</text>')
        parts.append(
            f'<text x="{WIDTH - PAD}" y="{LINE_HEIGHT - 8}" text-anchor="end" class="label">'
            f"{last}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
