"""Grading free-text answers against a bank prompt: embeddings, signals, calibration, feedback.

With `evaluators.grade` and `evaluators.embedding`, this is the seam the bot reaches grading
through (`tests/test_layers.py` holds bot/ to it): the grader and how it is made, the
explanation "Try the grader" shows, and the row the team's human grades are refitted on.

Each name is imported on first use (PEP 562): a command that only reads settings, a bank or a
vector file (`quizmaster content`, `doctor --quick`, a settings error) does not pay for the
grader's modules, 0.25 s of CPU a start of the 0.48 s `bot.cli` took to import."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluators.fitting.rows import Row as Row
    from evaluators.grade import EmbeddingUnavailableError as EmbeddingUnavailableError
    from evaluators.grade import Flag as Flag
    from evaluators.grade import Grade as Grade
    from evaluators.grade import Grader as Grader
    from evaluators.grade import Verdict as Verdict
    from evaluators.model_settings import ModelSettings as ModelSettings
    from evaluators.scoring import Explainer as Explainer
    from evaluators.scoring import Explanation as Explanation
    from evaluators.service import EmbeddingGrader as EmbeddingGrader
    from evaluators.service import create_grader as create_grader

_WHERE = {
    "EmbeddingGrader": "evaluators.service",
    "EmbeddingUnavailableError": "evaluators.grade",
    "Explainer": "evaluators.scoring",
    "Explanation": "evaluators.scoring",
    "Flag": "evaluators.grade",
    "Grade": "evaluators.grade",
    "Grader": "evaluators.grade",
    "ModelSettings": "evaluators.model_settings",
    "Row": "evaluators.fitting.rows",
    "Verdict": "evaluators.grade",
    "create_grader": "evaluators.service",
}
__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    """The grader's names, each imported from its module when first asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module 'evaluators' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
