"""Features read from the sentence and token embeddings: how near the answer sits to a model
answer, to a known misconception, to the question, and to another question's model answer."""

from __future__ import annotations

from evaluators.features.feature import Feature
from evaluators.features.raw import Measures


def q_gap(s: Measures) -> float:
    return max(0.0, s.q_sim - s.ref_sim)


REF_SIM = Feature(
    "ref_sim",
    "best cosine of the answer with a model answer",
    heads=("concepts", "reference_only", "other_language"),
)
MIS_GAP = Feature(
    "mis_gap",
    "how much nearer a known misconception the answer sits than any model answer",
    lambda s: max(0.0, s.mis_sim - s.ref_sim),
    heads=("concepts",),
)
Q_GAP = Feature(
    "q_gap",
    "how much nearer the question than a model answer: restating earns nothing",
    q_gap,
    heads=("concepts", "reference_only", "other_language"),
)
Q_GAP_RECALL = Feature(
    "q_gap_recall",
    "q_gap times idf_recall: a terse right answer near the question still carries the model "
    "answer's rarer words, a restatement does not",
    lambda s: q_gap(s) * s.idf_recall,
    heads=("concepts",),
)
Q_MARGIN = Feature(
    "q_margin",
    "q_gap unclipped: also how much nearer the model answer than the question the answer sits",
    lambda s: s.q_sim - s.ref_sim,
    heads=("reference_only", "other_language"),
)
FRAMED_GAIN = Feature(
    "framed_gain",
    "how much nearer a model answer framed by its question than the question alone (the plain "
    "model answer where none was framed): what a short model answer adds, read as an answer",
    lambda s: (s.ref_sim if s.framed_sim is None else s.framed_sim) - s.q_sim,
    heads=("reference_only", "other_language"),
)
OFF_GAP = Feature(
    "off_gap",
    "how much nearer another question's model answer than this one's",
    lambda s: max(0.0, s.other_sim - s.ref_sim),
    heads=("concepts",),
)
OFF_MARGIN = Feature(
    "off_margin",
    "how much nearer another question's model answer than anything of this question, its model "
    "answer or its wording: how much better the answer answers another question (the off-topic "
    "rule reads it; an answer that restates its own question answers no other)",
    lambda s: max(0.0, s.other_sim - max(s.ref_sim, s.q_sim)),
)
SIBLING_MARGIN = Feature(
    "sibling_margin",
    "how much nearer a sibling's model answer (the main question's or a follow-up's of the same "
    "thread) than this prompt's own: the sibling rule reads it, no head does",
    lambda s: -1.0 if s.sibling_sim is None else s.sibling_sim - s.ref_sim,
)
OTHER_SIM = Feature(
    "other_sim",
    "best cosine of the answer with another question's model answer",
)
TOK_RECALL = Feature(
    "tok_recall",
    "mean over the model answer's tokens of their best match in the answer (BERTScore recall)",
    heads=("reference_only",),
    stand_in="ref_sim",
)
TOK_PRECISION = Feature(
    "tok_precision",
    "mean over the answer's tokens of their best match in the model answer",
    heads=("reference_only",),
    stand_in="ref_sim",
)
TOK_RECALL_DEMOTED = Feature(
    "tok_recall_demoted",
    "tok_recall with the tokens the question already holds weighing less",
    heads=("reference_only",),
    stand_in="ref_sim",
)
TOK_PRECISION_DEMOTED = Feature(
    "tok_precision_demoted",
    "tok_precision with the tokens the question already holds weighing less",
    heads=("reference_only",),
    stand_in="ref_sim",
)

FEATURES = (
    REF_SIM,
    MIS_GAP,
    Q_GAP,
    Q_GAP_RECALL,
    Q_MARGIN,
    FRAMED_GAIN,
    OFF_GAP,
    OFF_MARGIN,
    SIBLING_MARGIN,
    OTHER_SIM,
    TOK_RECALL,
    TOK_PRECISION,
    TOK_RECALL_DEMOTED,
    TOK_PRECISION_DEMOTED,
)
