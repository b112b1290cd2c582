"""The calibration's numpy fit and agreement figures against scikit-learn's and scipy's, on the
calibration's kind of data: the same optimum, the same folds and the same correlations, so a
refit does not move a grade or a reported figure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from evaluators.fitting.correlation import pearson, spearman
from evaluators.fitting.logistic import fit_logistic, group_folds


def _soft_rows(seed: int, rows: int, features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row twice, as a positive weighted by its soft target and a negative by the rest, as
    `fitting.heads.fit_head` builds them."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(rows, features))
    truth = rng.normal(size=features)
    target = 1 / (1 + np.exp(-(z @ truth + rng.normal(scale=0.5, size=rows))))
    x = np.vstack([z, z])
    y = np.concatenate([np.ones(rows), np.zeros(rows)])
    weight = np.concatenate([target, 1 - target]) + 1e-6
    return x, y, weight


@pytest.mark.parametrize(("seed", "c"), [(0, 1.0), (1, 0.3), (2, 3.0)])
def test_the_fit_reaches_scikit_learns_optimum(seed: int, c: float) -> None:
    x, y, weight = _soft_rows(seed, rows=300, features=12)
    coef, intercept = fit_logistic(x, y, weight, c=c)
    reference = LogisticRegression(C=c, tol=1e-12, max_iter=100_000)
    reference.fit(x, y, sample_weight=weight)
    np.testing.assert_allclose(coef, reference.coef_[0], atol=1e-5)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-5)


def test_the_fit_is_pulled_toward_zero_by_a_smaller_c() -> None:
    x, y, weight = _soft_rows(3, rows=200, features=6)
    strong, _ = fit_logistic(x, y, weight, c=0.01)
    weak, _ = fit_logistic(x, y, weight, c=100.0)
    assert np.linalg.norm(strong) < 0.5 * np.linalg.norm(weak)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folds_are_scikit_learns_group_folds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    groups = [f"q{int(g)}" for g in rng.integers(0, 23, size=400)]
    ours = [fold.tolist() for fold in group_folds(groups, 5)]
    theirs = [
        test.tolist() for _, test in GroupKFold(n_splits=5).split(np.zeros(400), groups=groups)
    ]
    assert ours == theirs
    for fold in ours:  # each question wholly in one fold
        assert not {groups[i] for i in fold} & {groups[i] for i in range(400) if i not in set(fold)}


@pytest.mark.parametrize("seed", [0, 1])
def test_correlations_are_scipys_ties_included(seed: int) -> None:
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 6, size=300).astype(float)  # 0-5 grades: many ties
    predicted = np.round(gold + rng.normal(scale=1.5, size=300), 1)
    assert pearson(predicted, gold) == pytest.approx(pearsonr(predicted, gold)[0], abs=1e-12)
    assert spearman(predicted, gold) == pytest.approx(spearmanr(predicted, gold)[0], abs=1e-12)
    assert pearson(np.ones(5), np.arange(5)) == 0.0
