"""Words of general language that say opposite things: more/fewer, increase/decrease,
connected/separated, 증가/감소, 가능/불가능. A claim that says one side where the model answer
says the other, about the same things, says the opposite (`reading.contrasts`).

The list is written out, not fitted: it holds everyday opposites of science and engineering
prose, in English (compared by their Snowball stems) and Korean (by Kiwi's lemmas; a negative
prefix stays on its word, so 불가능 and 비선형 are words of their own)."""

from __future__ import annotations

from functools import cache

from content.language_tools import stem_en

_ENGLISH: tuple[tuple[str, str], ...] = (
    ("more greater larger bigger higher high many", "fewer less smaller lower low few"),
    (
        "increase increases increased increasing rise rises grow grows raise raises raised",
        "decrease decreases "
        "decreased decreasing fall falls drop drops shrink shrinks reduce reduces reduced",
    ),
    ("faster quicker accelerate accelerates", "slower decelerate decelerates"),
    (
        "connected connect connects joined",
        "separated separate seperated seperate disconnected disconnect gap gaps",
    ),
    ("closed", "open opened"),
    ("same equal identical", "different differ differs"),
    ("positive", "negative"),
    ("nearest nearer closer", "farthest farther further"),
    ("earlier previous", "later future"),
    ("inside interior", "outside exterior"),
    ("above", "below"),
    ("longer", "shorter"),
    ("stable stabilize stabilizes stabilized", "unstable destabilize destabilizes"),
    ("dense", "sparse"),
    ("linear", "nonlinear"),
    ("convex", "nonconvex"),
    ("supervised", "unsupervised"),
    ("global", "local"),
    ("overfitting overfit overfits", "underfitting underfit underfits"),
    ("true correct", "false incorrect wrong"),
    ("possible", "impossible"),
    ("strong stronger", "weak weaker"),
    ("deep deeper", "shallow shallower"),
    ("wide wider", "narrow narrower"),
    ("hot hotter warm warmer", "cold colder cool cooler"),
    ("attract attracts", "repel repels"),
    ("absorb absorbs", "reflect reflects"),
    ("expand expands", "contract contracts"),
    ("add adds added", "remove removes removed subtract"),
    ("easy easier", "hard harder difficult"),
)
_KOREAN: tuple[tuple[str, str], ...] = (
    (
        "많 크 높 키우 증가 늘 늘리 커지 오르 올라가 상승 확대",
        "적 작 낮 감소 줄 줄이 작아지 떨어지 내려가 하락 축소",
    ),
    ("빠르 빨라지", "느리 느려지"),
    ("길 길어지", "짧 짧아지"),
    ("가깝 가까워지", "멀 멀어지"),
    ("같 동일", "다르"),
    ("연결", "분리 끊"),
    ("이전 과거", "이후 미래"),
    ("선형", "비선형"),
    ("지도", "비지도"),
    ("안정", "불안정"),
    ("가능", "불가능"),
    ("볼록", "비볼록"),
    ("양수", "음수"),
    ("밀집", "희소"),
    ("전역", "지역"),
    ("과적합", "과소적합"),
    ("강하", "약하"),
    ("깊", "얕"),
    ("넓", "좁"),
    ("쉽", "어렵"),
    ("켜", "끄"),
)

Side = tuple[int, int]
"""(which pair of opposites, which of its two sides)."""


@cache
def _sides() -> dict[str, Side]:
    sides: dict[str, Side] = {}
    for number, (first, second) in enumerate((*_ENGLISH, *_KOREAN)):
        for side, words in enumerate((first, second)):
            for word in words.split():
                lemma = word if not word.isascii() else stem_en(word)
                sides.setdefault(lemma, (number, side))
    return sides


def side_of(lemma: str) -> Side | None:
    """The pair and side of a lemma that is one of a pair of opposites; None for any other."""
    return _sides().get(lemma)


def changes(lemma: str) -> bool:
    """Whether a lemma says that something rises or falls (grows, shrinks, 증가, 줄이)."""
    side = side_of(lemma)
    return side is not None and side[0] in _changing()


@cache
def _changing() -> frozenset[int]:
    return frozenset(side[0] for word in ("increas", "증가") if (side := side_of(word)))
