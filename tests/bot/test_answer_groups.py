"""Grouping answers by meaning: average linkage (no chaining through a middle answer), the
medoid as the representative, and the order an admin grades them in."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from bot.core.answer_groups import clusters, group_answers


def _at(*degrees: float) -> npt.NDArray[np.float32]:
    """Unit vectors in the plane at these angles: the cosine of two is that of their gap."""
    return np.array(
        [[math.cos(math.radians(d)), math.sin(math.radians(d))] for d in degrees],
        dtype=np.float32,
    )


def test_a_middle_answer_does_not_chain_two_different_ones_into_one_group() -> None:
    # 0 and 45 are alike (cos 0.71), 45 and 90 too, but 0 and 90 are unrelated (cos 0)
    vectors = _at(0, 45, 90)
    assert clusters(vectors, threshold=0.6) == [[0, 1], [2]]
    assert clusters(vectors, threshold=0.3) == [[0, 1, 2]]  # a lower bar takes all three
    assert clusters(vectors, threshold=0.99) == [[0], [1], [2]]


def test_groups_show_their_medoid_and_come_largest_then_widest_spread_first() -> None:
    answers = ["a", "b", "c", "d", "e", "f", "g"]
    scores = dict(zip(answers, [60, 80, 70, 10, 90, 50, 55], strict=True))
    # a, b, c together (b in the middle); d, e together (spread 80); f, g together (spread 5)
    vectors = _at(0, 10, 20, 120, 125, 240, 245)
    groups = group_answers(answers, vectors, score=scores.__getitem__)
    assert [g.members for g in groups] == [("b", "a", "c"), ("d", "e"), ("f", "g")]
    assert [(g.representative, g.size, g.low, g.high) for g in groups] == [
        ("b", 3, 60, 80),
        ("d", 2, 10, 90),
        ("f", 2, 50, 55),
    ]
    assert group_answers([], np.zeros((0, 2), np.float32), score=len) == []
