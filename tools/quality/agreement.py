"""Agreement figures as `quizmaster eval` shows them, on its lines and in its JSON: a
correlation that is undefined (fewer than two rows, or every predicted or human score the same)
is "undefined" and null, never the 0.000 that `evaluators.fitting.correlation` returns there for
the fits' sake, which reads as a grader that ranks answers no better than chance."""

from __future__ import annotations

from evaluators.fitting.metrics import Metrics

UNDEFINED = "undefined"


def correlations(m: Metrics) -> str:
    """`pearson=… spearman=…` for a line, each to three decimals or "undefined"."""
    if not m.correlated:
        return f"pearson={UNDEFINED} spearman={UNDEFINED}"
    return f"pearson={m.pearson:.3f} spearman={m.spearman:.3f}"


def figures(m: Metrics) -> dict[str, float | int | None]:
    """`m` for the JSON line: `Metrics.as_dict`, its correlations null where undefined."""
    shown: dict[str, float | int | None] = dict(m.as_dict())
    if not m.correlated:
        shown["pearson"] = shown["spearman"] = None
    return shown
