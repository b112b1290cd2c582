"""Fitting the sibling rule's margin: how much nearer a sibling question's model answer than its
own an answer must sit before it is capped as an answer to that sibling (`SiblingRule`).

Two kinds of dev data fix it, on the model's own cosine scale: the tuning answers people graded
3 of 5 or more, none of which may be capped, and the bank's own model answers given on a sibling
(a follow-up's on its main question, and the reverse), each of which should be. Prompts of the
lockbox are left out of both."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from content.bank import Bank
from content.schema import Prompt
from evaluators.features.similarity import SIBLING_MARGIN
from evaluators.fitting.dev_set import in_lockbox
from evaluators.fitting.samples import Sample
from evaluators.references import ReferenceStore
from evaluators.rules.sibling import SiblingRule

RIGHT_ANSWER = 0.6
"""People's grade (a fraction of full marks, 3 of 5) from which an answer is right, and never
capped as an answer to a sibling."""


def swapped(bank: Bank) -> Iterator[tuple[Prompt, Prompt, str]]:
    """(prompt asked, sibling, the sibling's model answer given on it): every follow-up's model
    answers on its main question, and the main question's on each follow-up, where both are
    graded (an open prompt's answers are counted, not scored)."""
    for follow_up in bank.all():
        if follow_up.parent is None or follow_up.parent not in bank:
            continue
        main = bank.get(follow_up.parent)
        if main.kind != "graded" or follow_up.kind != "graded":
            continue
        for reference in follow_up.references:
            yield main, follow_up, reference.text
        for reference in main.references:
            yield follow_up, main, reference.text


def swapped_margins(store: ReferenceStore, bank: Bank) -> list[float]:
    """`sibling_margin` of each of the bank's model answers given on a sibling outside the
    lockbox, from the prepared store's vectors (nothing is encoded)."""
    margins = []
    for asked, sibling, text in swapped(bank):
        if in_lockbox(asked) or in_lockbox(sibling):
            continue
        vector = store.vector(text)
        own = store.vectors_for(asked).references
        nearest = store.neighbours(asked, vector).sibling.sim
        margins.append(nearest - float(np.max(own @ vector)))
    return margins


def fit_sibling_rule(samples: Sequence[Sample], margins: Sequence[float]) -> SiblingRule:
    """Halfway between the largest `sibling_margin` of a right answer among `samples` (0 at
    least: an answer nearer its own model answer is never capped) and the smallest of the
    swapped model answers' `margins` above it; no rule when none is above it."""
    right = [
        s.features[SIBLING_MARGIN.name]
        for s in samples
        if s.features is not None and s.target >= RIGHT_ANSWER
    ]
    floor = max([0.0, *right])
    above = [m for m in margins if m > floor]
    if not above:
        return SiblingRule()
    return SiblingRule(margin=round((floor + min(above)) / 2, 4))
