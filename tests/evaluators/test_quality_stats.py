"""The quality table's arithmetic against values worked out by hand: AUC with ties, macro-F1 at a
boundary, concept precision and recall, and bootstrap intervals that draw whole questions."""

from __future__ import annotations

import numpy as np
import pytest

from tools.quality.quality_stats import (
    Indices,
    auc,
    estimate,
    f1,
    macro_f1,
    precision,
    question_groups,
    recall,
)


def test_auc_counts_the_pairs_a_positive_wins_and_ties_as_half() -> None:
    # Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats
    # both, so 3 of the 4 pairs.
    assert auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    # One pair tied, one won: (0.5 + 1) / 2.
    assert auc([0.5, 0.5, 0.2], [True, False, False]) == pytest.approx(0.75)
    assert np.isnan(auc([0.1, 0.2], [True, True]))


def test_macro_f1_averages_both_classes() -> None:
    # TP 2, FP 1, FN 1, TN 1: F1 of the positive class 4/6, of the negative class 2/4.
    predicted = [True, True, False, False, True]
    actual = [True, False, False, True, True]
    assert macro_f1(predicted, actual) == pytest.approx((4 / 6 + 2 / 4) / 2)
    assert macro_f1([True, False], [True, False]) == 1.0


def test_precision_recall_f1_of_concept_counts() -> None:
    # 6 concepts credited, 4 of them labelled stated; 10 labelled stated in all.
    assert precision(4, 2) == pytest.approx(4 / 6)
    assert recall(4, 6) == pytest.approx(0.4)
    assert f1(4, 2, 6) == pytest.approx(8 / 16)
    assert precision(0, 0) == recall(0, 0) == f1(0, 0, 0) == 0.0


def test_question_groups_keep_each_questions_rows_together() -> None:
    groups = question_groups(["b", "a", "b", "c", "a"])
    assert [list(g) for g in groups] == [[0, 2], [1, 4], [3]]


def test_the_interval_resamples_questions_not_answers() -> None:
    # Question A has nine answers graded 0, question B one graded 1. Drawing two questions
    # gives a mean of 0 (A, A: a quarter of draws), 0.1 (A, B: half) or 1 (B, B: a quarter),
    # so the 95% interval runs from 0 to 1; drawing answers would never get near 1.
    values = np.array([0.0] * 9 + [1.0])

    def mean(rows: Indices) -> float:
        return float(values[rows].mean())

    groups = question_groups(["A"] * 9 + ["B"])
    found = estimate(mean, groups)
    assert found.value == pytest.approx(0.1)
    assert found.low == 0.0 and found.high == 1.0
    assert estimate(mean, groups) == found  # a fixed seed: a rerun prints the same interval


def test_a_figure_no_resample_can_compute_has_no_interval() -> None:
    found = estimate(lambda rows: float("nan"), question_groups(["a", "b"]))
    assert found.low is None and found.high is None
