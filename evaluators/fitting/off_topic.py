"""Fitting the off-topic rule: the similarity thresholds past which an answer reads as one to
another question of the bank and is capped."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evaluators.features.similarity import OFF_MARGIN, OTHER_SIM
from evaluators.fitting.samples import Sample
from evaluators.rules.off_topic import (
    OFF_TOPIC_CAP,
    OffTopicRule,
    concepts_named,
    concepts_reviewed,
)

NO_RULE = OffTopicRule()
OFF_TOPIC_GAIN_TOLERANCE = 0.1
"""Gains in the off-topic fit (on the 0-1 scale, summed over the dev answers) closer than this
count as equal: 0.1 is one answer's error moving by 10 points of 100, so a single middling
answer does not choose between rules (docs/grading.md, "Off-topic answers")."""


def fit_off_topic_rule(
    samples: Sequence[Sample], predicted: Sequence[float], others: Sequence[int | None]
) -> OffTopicRule:
    """The off-topic thresholds that most reduce the error of the given predictions (capping an
    answer to another question helps; capping a right answer hurts), searched over the
    quantiles of the model's own similarities among the answers whose substance points to
    another question (`OffTopicRule.names_another_question`; `others`: what the head gives the
    other question's model answer here, as `scoring.nearest_other`). No rule when none
    helps by more than `OFF_TOPIC_GAIN_TOLERANCE`."""
    graded = [
        (s.features, s.target, p)
        for s, p, other in zip(samples, predicted, others, strict=True)
        if s.features is not None
        and OffTopicRule.names_another_question(
            s.features,
            concepts_named(s.prompt, s.covered),
            reviewed=concepts_reviewed(s.prompt),
            other_answer_grade=other,
        )
    ]
    if not graded:
        return NO_RULE
    gaps = np.array([features[OFF_MARGIN.name] for features, _, _ in graded])
    sims = np.array([features[OTHER_SIM.name] for features, _, _ in graded])
    target = np.array([t for _, t, _ in graded])
    pred = np.array([p for _, _, p in graded])
    gain = np.abs(pred - target) - np.abs(np.minimum(pred, OFF_TOPIC_CAP / 100) - target)
    quantiles = np.linspace(0.5, 0.98, 25)
    rules = [
        (float(gain[(gaps >= gap) & (sims >= sim)].sum()), float(sim), float(gap))
        for gap in np.unique(np.quantile(gaps, quantiles))
        for sim in np.unique(np.quantile(sims, quantiles))
    ]
    best_gain = max(total for total, _, _ in rules)
    if best_gain <= OFF_TOPIC_GAIN_TOLERANCE:
        return NO_RULE
    # Of the rules that help as much as the best, to within the tolerance, the lowest
    # similarity floor (then the smallest gap). The gap says "an answer to another question";
    # the floor only keeps the rule off answers far from every model answer, and a lower one
    # also catches such answers worded unlike that question's model answer. Without the
    # tolerance, a single dev answer moving a few points chose between such rules.
    sim, gap = min(
        (sim, gap) for total, sim, gap in rules if total >= best_gain - OFF_TOPIC_GAIN_TOLERANCE
    )
    return OffTopicRule(gap=gap, min_sim=sim)
