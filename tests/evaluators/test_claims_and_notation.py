"""The cheap readers the embeddings lean on: sweeping words and flipped polarities against the
references, and the words a formula or snippet stands for."""

from __future__ import annotations

import pytest

from evaluators.reading.claims import measure_claims
from evaluators.reading.notation import looks_like_formula, read_notation
from evaluators.rules.noise import is_noise

FEWER = "A convolution shares its weights, so a conv layer has far fewer parameters."


def test_a_flipped_polarity_counts_once_per_pair() -> None:
    claims = measure_claims("Each conv layer has many more parameters than a dense one.", [FEWER])
    assert claims.flips == 1
    assert measure_claims("Conv layers have fewer parameters.", [FEWER]).flips == 0


def test_korean_stems_inside_longer_ones_are_told_apart() -> None:
    """선형 in 비선형 and 가능 in 불가능 are different claims, not the same word."""
    reference = ["선형 함수를 여러 번 합성해도 선형이라, 층 사이에 비선형 함수가 필요합니다."]
    assert measure_claims("비선형 함수가 있어야 합니다.", reference).flips == 0
    assert (
        measure_claims("번역은 불가능합니다.", ["가능합니다. back-translation을 씁니다."]).flips
        == 1
    )
    assert measure_claims("가능합니다.", ["가능합니다. back-translation을 씁니다."]).flips == 0


def test_a_yes_no_question_answered_against_the_references_is_a_flip() -> None:
    references = ["Yes. A convolution is linear, so a dense layer can reproduce it.", "네, 됩니다."]
    assert (
        measure_claims("No, convolution cannot be written as a dense layer.", references).flips == 1
    )
    assert measure_claims("아니요, 안 됩니다.", references).flips == 1
    assert measure_claims("Yes, with tied weights.", references).flips == 0


def test_sweeping_words_count_only_when_no_reference_uses_them() -> None:
    hedged = ["Adam usually converges faster, but it can still stop in a local minimum."]
    assert measure_claims("Adam always guarantees the global minimum.", hedged).absolutes == 2
    assert (
        measure_claims("Adam 같은 옵티마이저는 항상 global minimum을 보장합니다.", hedged).absolutes
        == 2
    )
    says_always = ["ReLU의 기울기는 양수 구간에서 항상 1입니다."]
    assert measure_claims("양수 구간에서 기울기가 항상 1입니다.", says_always).absolutes == 0


@pytest.mark.parametrize(
    "answer",
    [
        "x̂ = (x − μ_B) / sqrt(σ_B² + ε); y = γ·x̂ + β",
        "w -= lr * grad",
        "L = -Σ y log(p)",
    ],
)
def test_formulas_are_answers_not_noise(answer: str) -> None:
    assert looks_like_formula(answer)
    assert not is_noise(answer)


def test_notation_is_read_into_words_and_prose_is_left_alone() -> None:
    read = read_notation("w ← w − η·∇L(w)")
    assert read.startswith("w ← w − η·∇L(w)\n")
    assert {"gradient", "learning", "weight"} <= set(read.split())
    prose = "ReLU keeps gradients alive where sigmoid saturates."
    assert read_notation(prose) == prose
    assert "ReLU" in read_notation("f(x) = max(0, x) + b")


@pytest.mark.parametrize("answer", ["ㅋㅋㅋㅋㅋ", "!!!???!!!", "asdf qwer zxcv"])
def test_noise_is_still_noise(answer: str) -> None:
    assert not looks_like_formula(answer)
    assert is_noise(answer)
