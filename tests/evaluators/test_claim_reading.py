"""Reading an answer's claims against a prompt's references (`evaluators.reading.contrasts`):
roles swapped between the sides a question names, opposites said the other way, negation,
read through "not", comparisons turned around and conditions. The examples are written here,
none from a graded or held-out file."""

from __future__ import annotations

import pytest

from evaluators.reading.clauses import clauses
from evaluators.reading.contrasts import contrast_of, opposed, read_claims

CIRCUIT = (["Why was bulb A on?"], ["Bulb A is in a closed path with the battery."])
GAP = (
    ["Explain the voltage reading."],
    ["Terminal 1 and the positive terminal are separated by the gap"],
)
GATES = (
    ["LSTM과 GRU의 차이는?"],
    [
        "LSTM은 입력, 망각, 출력 게이트 세 개와 셀 상태를 따로 두고, "
        "GRU는 업데이트와 리셋 게이트 두 개만 써서 파라미터가 더 적습니다."
    ],
)
PENALTIES = (
    ["What is the difference between L1 and L2 regularization?"],
    [
        "L1 regularization adds the absolute values of the weights and drives many weights to "
        "exactly zero, giving sparse models. L2 regularization adds the squared weights and "
        "shrinks all weights smoothly toward zero."
    ],
)
MAGNET = (
    ["How can you tell iron from aluminum?"],
    [
        "If the key sticks to the magnet, the key is iron; "
        "if the key does not stick, the key is aluminum."
    ],
)
PARAMETERS = (
    ["Why is a CNN better for images?"],
    ["MLPs have far more parameters than CNNs because every unit connects to every pixel."],
)
BURNOUT = (
    ["What happens to bulbs B and C if bulb A burns out?"],
    ["If bulb A burns out, B and C are no longer in a closed path with the battery."],
)
"""The condition is the question's own: what follows it is the model answer's claim."""
DECAY = (
    ["What does weight decay's λ do?", "weight decay의 λ는 무엇을 하나요?"],
    ["The larger λ, the smaller the weights become.", "λ가 클수록 weight가 작아집니다."],
)
"""A covariation: which way one thing moves with another, said by both halves of a sentence."""
SHARPNESS = (
    ["What does the softmax temperature τ do?"],
    ["A smaller τ makes the output closer to one-hot."],
)
DEPTH = (
    ["How does depth change training time?"],
    ["The more layers a network has, the slower it trains."],
)
GO_OUT = (
    ["Why do bulbs B and C go out when bulb A burns out?"],
    ["B and C are no longer in a closed path with the battery."],
)

REVERSED = [
    pytest.param(CIRCUIT, "bulb A is not in a closed path", "opposite", id="closed, negated"),
    pytest.param(
        GAP, "terminal 1 is connected to the positive terminal", "opposite", id="opposite"
    ),
    pytest.param(
        GATES,
        "GRU는 게이트 세 개와 셀 상태를 따로 두고, "
        "LSTM은 게이트 두 개만 써서 파라미터가 더 적습니다.",
        "roles",
        id="korean roles",
    ),
    pytest.param(
        PENALTIES,
        "L2 adds the absolute values of the weights and drives them to exactly zero, giving sparse "
        "models; L1 adds the squared weights and shrinks them smoothly.",
        "roles",
        id="english roles",
    ),
    pytest.param(PARAMETERS, "A CNN has far more parameters than an MLP.", "opposite", id="more"),
    pytest.param(
        BURNOUT, "B and C are still in a closed path with the battery.", "opposite", id="consequent"
    ),
    pytest.param(
        GO_OUT,
        "If bulb A burns out, B and C stay in a closed path with the battery.",
        "opposite",
        id="answered as a consequent",
    ),
    pytest.param(
        DECAY, "The larger λ, the larger the weights become.", "opposite", id="covariation"
    ),
    pytest.param(DECAY, "λ가 클수록 weight가 커집니다.", "opposite", id="korean covariation"),
    pytest.param(
        DECAY, "λ를 크게 할수록 weight가 커져요.", "opposite", id="korean covariation, -게 하"
    ),
    pytest.param(
        DECAY, "As λ grows, the weights get larger.", "opposite", id="covariation with as"
    ),
    pytest.param(
        SHARPNESS,
        "A larger τ makes the output closer to one-hot.",
        "opposite",
        id="a greek letter is a word",
    ),
    pytest.param(
        DEPTH, "The more layers the faster the training.", "opposite", id="covariation, no comma"
    ),
]

AGREEING = [
    pytest.param(CIRCUIT, "because bulb A is still in a closed path with the battery", id="same"),
    pytest.param(GAP, "terminal 1 is not connected to the positive terminal", id="not connected"),
    pytest.param(
        GATES,
        "LSTM은 게이트가 세 개이고 셀 상태가 따로 있고, GRU는 게이트가 두 개라 파라미터가 적어요.",
        id="korean roles kept",
    ),
    pytest.param(
        PENALTIES,
        "L1 penalizes absolute values so many weights become exactly zero and the model is sparse, "
        "while L2 penalizes squared weights and shrinks them smoothly.",
        id="english roles kept",
    ),
    pytest.param(
        PARAMETERS,
        "A CNN has far fewer parameters than an MLP because each unit connects to a few pixels.",
        id="comparison turned around",
    ),
    pytest.param(
        BURNOUT, "B and C are not in a closed path with the battery anymore.", id="consequent kept"
    ),
    pytest.param(
        GO_OUT,
        "If bulb A burns out, B and C are not in a closed path with the battery.",
        id="consequent kept, answered as one",
    ),
    pytest.param(DECAY, "The larger λ is, the smaller the weights get.", id="covariation kept"),
    pytest.param(DECAY, "λ를 크게 할수록 weight가 작아져요.", id="korean covariation kept"),
    pytest.param(DEPTH, "The more layers the slower the training.", id="no comma, kept"),
]


@pytest.mark.parametrize(("prompt", "answer", "how"), REVERSED)
def test_an_answer_that_says_the_opposite_is_read_as_reversed(
    prompt: tuple[list[str], list[str]], answer: str, how: str
) -> None:
    reading = read_claims(answer, contrast_of(*prompt))
    assert reading.mostly_reversed, reading
    assert how in {r.how for r in reading.reversed}


@pytest.mark.parametrize(("prompt", "answer"), AGREEING)
def test_an_answer_that_says_the_same_in_other_words_is_not(
    prompt: tuple[list[str], list[str]], answer: str
) -> None:
    reading = read_claims(answer, contrast_of(*prompt))
    assert not reading.reversed, reading
    assert reading.agreeing >= 1


def test_a_negated_condition_beside_its_opposite_condition_is_not_read_as_reversed() -> None:
    reading = read_claims(
        "If it does not stick to the magnet it is aluminum.", contrast_of(*MAGNET)
    )
    assert not reading.mostly_reversed


def test_a_condition_is_a_clause_of_its_own_and_what_follows_it_a_claim() -> None:
    """The condition ("if bulb A burns out", 크면) is a supposition; the rest of its sentence
    is a claim under it, compared with a model answer's plain claim, as the question often sets
    the condition itself."""
    english = clauses("The bulb lights if the switch is closed.")
    assert [(c.conditional, c.antecedent) for c in english] == [(True, False), (True, True)]
    korean = clauses("학습률이 크면 손실이 발산한다.")
    assert [(c.conditional, c.antecedent) for c in korean] == [(True, True), (True, False)]


def test_a_reversed_clause_is_placed_where_the_answer_says_it() -> None:
    answer = "Bulb A is lit. But bulb A is not in a closed path."
    reading = read_claims(answer, contrast_of(*CIRCUIT))
    (reversal,) = reading.reversed
    start, end = reversal.span
    assert answer.casefold()[start:end].strip() == "bulb a is not in a closed path"


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("the terminals are not connected", {"connect"}),
        ("it isn't contained in a closed path", {"contain", "close"}),
        ("Bulb C was no longer in a closed path", {"close"}),
        ("정보 손실이 없어서 복원이 완벽하다", {"손실"}),
        ("연결되지 않는다", {"연결"}),
        ("torch.no_grad() keeps gradients", set()),
        ("the part that did not go through the filter was larger", {"go"}),
    ],
)
def test_negation_reaches_the_word_it_negates(text: str, negated: set[str]) -> None:
    said = set().union(*(clause.negated for clause in clauses(text)))
    assert said == negated


def test_the_thing_compared_against_is_not_the_subject() -> None:
    (english,) = clauses("CNNs need fewer weights than an MLP")
    (korean,) = clauses("CNN은 MLP보다 파라미터가 적다")
    assert english.compared == {"mlp"}
    assert korean.compared == {"mlp"}
    assert "cnn" in korean.topics


def test_a_frame_both_sides_share_is_not_the_thing_compared() -> None:
    """A sentence "computing ReLU is faster than computing sigmoid" compares ReLU with sigmoid,
    as "ReLU is faster to compute than sigmoid" does: the two say the same, and the swap says
    the opposite."""
    (framed,) = clauses("Computing ReLU is faster than computing sigmoid.")
    assert framed.compared == {"sigmoid"}
    question = ("ReLU와 sigmoid 중 무엇이 더 빠른가?", "Which is faster, ReLU or sigmoid?")
    plain = "ReLU is faster to compute than sigmoid."
    assert not opposed(question, plain, "Computing ReLU is faster than computing sigmoid.")
    assert opposed(question, plain, "Computing sigmoid is faster than computing ReLU.")


UNSURE = [
    pytest.param(
        ["How does dropout behave during training and at inference?"],
        [
            "Dropout zeroes a random subset of activations at every training step. At inference "
            "no units are dropped and activations are scaled by the keep probability."
        ],
        "Dropout randomly drops units during training so neurons cannot co-adapt. "
        "At inference nothing is dropped and activations are rescaled.",
        id="nothing is dropped",
    ),
    pytest.param(
        ["번개가 친 뒤에 천둥소리가 들리는 이유는?"],
        ["소리보다 빛이 빠르기 때문이다."],
        "소리의 속도는 빛의 속도보다 느리기 때문이다.",
        id="a comparison whose terms do not line up",
    ),
    pytest.param(
        ["낮에 별이 보이지 않는 이유는?"],
        ["햇빛이 너무 강하기 때문에 별빛이 보이지 않는다."],
        "햇빛이 너무 강해서 그렇다.",
        id="않는다 far from the opposite it would reach",
    ),
    pytest.param(
        ["Why do bulbs B and C stay lit?"],
        ["Bulbs B and C are in the same closed path with the battery."],
        "switch X is not in the same path as bulbs B and C.",
        id="another thing named by a letter",
    ),
    pytest.param(
        ["Why did the voltmeter read 0?"],
        ["Terminals 4, 5 and 6 are not connected to the negative battery terminal."],
        "the negative battery terminal is connected to terminals 1, 2 and 3.",
        id="other things named by numbers",
    ),
]


@pytest.mark.parametrize(("question", "references", "answer"), UNSURE)
def test_a_reading_the_reader_is_not_sure_of_does_not_reverse_an_answer(
    question: list[str], references: list[str], answer: str
) -> None:
    """Issue 69: natural negation ("nothing is dropped" for "no units are dropped"), a negation
    far from its word, a comparison of other terms, and clauses about other named things are
    the reader's guesses: none makes a right answer REVERSED."""
    reading = read_claims(answer, contrast_of(question, references))
    assert not reading.mostly_reversed, reading
    assert not reading.strong, reading


def test_a_covariation_turned_around_on_both_sides_is_neither() -> None:
    """A covariation turned around on both sides says what the model answer says ("the smaller
    λ, the larger the weights"): read side by side it reverses both halves, which the reader
    takes for a claim neither way."""
    for answer in ("The smaller λ, the larger the weights.", "λ가 작을수록 weight가 커져요."):
        reading = read_claims(answer, contrast_of(*DECAY))
        assert not reading.reversed, reading


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        ("λ가 클수록 weight가 작아진다", [True, False]),
        ("the larger the batch, the smaller the noise", [True, False]),
        ("as β grows, the average gets smoother", [True, False]),
        ("the negative terminals face each other, so no current flows", [False, False]),
        ("as a result, the current stops", [False, False]),
    ],
)
def test_a_covariation_leads_into_the_clause_that_completes_it(
    text: str, leads: list[bool]
) -> None:
    assert [clause.leads for clause in clauses(text)] == leads


def test_one_hot_and_korean_syllables_are_words_not_opposites_or_names() -> None:
    """A one-hot label is no claim about heat, and 크 or 작 names no thing as "bulb C" does."""
    (english,) = clauses("closer to one-hot")
    assert "hot" not in english.lemmas
    assert not any(clause.names for clause in clauses("λ가 클수록 weight가 작아진다"))


def test_a_korean_opposite_before_a_noun_names_a_thing_rather_than_claiming() -> None:
    """작은 모델 and 큰 모델 are two models (a draft and a target), 양수 입력 and 음수인 구간 two
    ranges of input: said before a noun, one of a pair of opposites picks a thing out, and a
    clause about another thing says nothing against the model answer's; 모델이 작다 is a claim."""
    (named,) = clauses("작은 모델이 토큰을 만든다")
    assert "작" in named.names
    (claim,) = clauses("모델이 작다")
    assert not claim.names
    ranges = (["ReLU의 문제점은?"], ["입력이 음수인 구간에서 출력도 0이다."])
    reading = read_claims("양수 입력에서는 기울기가 크다.", contrast_of(*ranges))
    assert not reading.reversed, reading
