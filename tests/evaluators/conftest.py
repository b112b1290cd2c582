"""A small hand-written bank, so grader tests do not depend on the seed bank being complete."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.schema import Concept, Localized, Misconception, Prompt, Reference

RELU = Prompt(
    id="t-relu",
    text=Localized(
        ko="요즘 Sigmoid 보다 ReLU를 많이 쓰는데 그 이유는?",
        en="Why is ReLU used more than Sigmoid these days?",
    ),
    topics=("activation",),
    references=(
        Reference(
            lang="ko",
            text="Sigmoid는 입력이 크거나 작으면 포화되어 기울기가 0에 가까워지고, 층이 깊으면 "
            "역전파 중에 기울기가 계속 곱해져 사라지는 기울기 소실 문제가 생깁니다. ReLU는 양수 "
            "구간에서 기울기가 1이라 깊은 층까지 기울기가 잘 전달되고, max(0, x)라서 계산도 "
            "빠릅니다.",
        ),
        Reference(
            lang="en",
            text="Sigmoid saturates for large inputs, so its gradient is close to zero and "
            "gradients vanish as they are multiplied through many layers. ReLU has a gradient of "
            "one for positive inputs, so gradients flow through deep networks, and max(0, x) is "
            "cheap to compute.",
        ),
    ),
    concepts=(
        Concept(
            id="vanishing-gradient",
            ko="기울기 소실",
            en="vanishing gradient",
            synonyms=("그래디언트 소실", "gradient vanishing", "vanishing gradients"),
        ),
        Concept(id="saturation", ko="포화", en="saturation", synonyms=("saturate", "saturates")),
        Concept(
            id="unit-gradient",
            ko="양수 구간 기울기 1",
            en="gradient of one for positive inputs",
            synonyms=("기울기가 1", "gradient of 1", "gradient is 1", "derivative of 1"),
        ),
        Concept(
            id="cheap",
            ko="계산이 빠름",
            en="cheap to compute",
            synonyms=("계산이 간단", "연산이 빠르", "computationally cheap", "fast to compute"),
        ),
    ),
    misconceptions=(
        Misconception(
            lang="ko",
            text="ReLU는 출력이 항상 0과 1 사이의 확률이라서 Sigmoid보다 더 정확한 예측을 하기 "
            "때문에 많이 씁니다.",
        ),
        Misconception(
            lang="en",
            text="ReLU is used because its output is a probability between 0 and 1, which makes "
            "predictions more accurate than Sigmoid.",
        ),
    ),
)

OPEN = Prompt(
    id="t-open",
    kind="open",
    text=Localized(ko="가장 좋아하는 딥러닝 프레임워크는?", en="Your favourite DL framework?"),
    topics=("tools",),
    guidance=Localized(ko="정답은 없어요.", en="There is no right answer."),
)

GOOD_KO = (
    "Sigmoid는 입력이 커지면 포화되어 기울기가 0에 가까워지고 깊은 층에서 기울기 소실이 "
    "생깁니다. ReLU는 양수에서 기울기가 1이라 기울기가 잘 전달되고 계산이 간단해서 빠릅니다."
)
GOOD_EN = (
    "Sigmoid saturates, so its gradient becomes tiny and gradients vanish in deep networks. "
    "ReLU keeps a gradient of 1 for positive inputs and is cheap to compute."
)
MISCONCEPTION_KO = (
    "ReLU는 출력이 항상 0과 1 사이의 확률이라 Sigmoid보다 예측이 더 정확하기 때문에 씁니다. "
    "확실합니다."
)


@pytest.fixture
def relu() -> Prompt:
    return RELU


@pytest.fixture
def open_prompt() -> Prompt:
    return OPEN


@pytest.fixture
def mini_bank() -> Bank:
    return Bank([RELU, OPEN])
