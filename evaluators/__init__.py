"""Grading free-text answers against a bank prompt: embeddings, signals, calibration, feedback."""

from evaluators.grade import EmbeddingUnavailableError, Flag, Grade, Grader, Verdict
from evaluators.service import EmbeddingGrader, create_grader

__all__ = [
    "EmbeddingGrader",
    "EmbeddingUnavailableError",
    "Flag",
    "Grade",
    "Grader",
    "Verdict",
    "create_grader",
]
