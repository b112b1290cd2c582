"""Grading free-text answers against a bank prompt: embeddings, signals, calibration, feedback.

With `evaluators.grade` and `evaluators.embedding`, this is the seam the bot reaches grading
through (`tests/test_layers.py` holds bot/ to it): the grader and how it is made, the
explanation "Try the grader" shows, and the row the team's human grades are refitted on."""

from evaluators.fitting.rows import Row
from evaluators.grade import EmbeddingUnavailableError, Flag, Grade, Grader, Verdict
from evaluators.model_settings import ModelSettings
from evaluators.scoring import Explainer, Explanation
from evaluators.service import EmbeddingGrader, create_grader

__all__ = [
    "EmbeddingGrader",
    "EmbeddingUnavailableError",
    "Explainer",
    "Explanation",
    "Flag",
    "Grade",
    "Grader",
    "ModelSettings",
    "Row",
    "Verdict",
    "create_grader",
]
