"""A reference word the rest of the bank does not use counts for more than one every prompt uses:
in the rarity counts, and in the `idf_recall` (and `q_gap_recall`) a grade reads."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.language_tools import stem_en
from content.schema import Localized, Prompt, Reference
from evaluators import EmbeddingGrader
from evaluators.reading.rarity import UNIFORM, WordRarity
from tests.evaluators.conftest import OPEN, RELU

DEEP = Prompt(
    id="t-deep",
    text=Localized(ko="깊은 신경망이 왜 학습하기 어려운가요?", en="Why are deep networks hard?"),
    topics=("training",),
    references=(
        Reference(
            lang="en",
            text="Gradients are multiplied through many layers of a deep network, so they shrink "
            "or explode on their way back to the first layers.",
        ),
    ),
)


def test_a_word_in_every_prompt_weighs_least() -> None:
    rarity = WordRarity.of(
        [["layers of a network", "it saturates"], ["a network with layers"], ["network"]]
    )
    assert rarity.prompts == 3
    assert rarity.counts["network"] == 3  # once per prompt, however many of its texts use it
    assert rarity.weight("network") == pytest.approx(1.0)
    saturates = stem_en("saturates")
    assert rarity.weight(saturates) > rarity.weight("layer") > rarity.weight("network")
    assert rarity.weight("never-seen") > rarity.weight(saturates)


def test_weighted_recall_favours_the_rare_word() -> None:
    rarity = WordRarity.of([["layer saturat"], ["layer"], ["layer"]])
    reference = {"layer", "saturat"}
    assert rarity.recall(reference, {"saturat"}) > 0.5 > rarity.recall(reference, {"layer"})
    assert UNIFORM.recall(reference, {"saturat"}) == UNIFORM.recall(reference, {"layer"}) == 0.5
    assert rarity.recall(set(), {"layer"}) == 0.0


async def test_a_grade_weighs_reference_words_by_the_prepared_banks_use(
    grader: EmbeddingGrader,
) -> None:
    common = "They pass through many layers of a deep network."
    rare = "Sigmoid saturates, and ReLU is cheap."
    before = await grader.measure(RELU, rare)
    assert before.measures.lex_recall > 0
    assert before.measures.idf_recall == pytest.approx(before.measures.lex_recall)

    await grader.prepare(Bank([RELU, DEEP, OPEN]))
    shared = await grader.measure(RELU, common)
    own = await grader.measure(RELU, rare)
    assert 0 < shared.measures.idf_recall < shared.measures.lex_recall
    assert own.measures.idf_recall > own.measures.lex_recall
    assert own.features["idf_recall"] == own.measures.idf_recall
    restated = await grader.measure(RELU, "Why is ReLU used more than Sigmoid these days?")
    q_gap = restated.features["q_gap"]
    assert q_gap > 0
    assert restated.features["q_gap_recall"] == pytest.approx(q_gap * restated.measures.idf_recall)
