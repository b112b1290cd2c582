"""Fitting the evidence gate (`rules.evidence_gate.EvidenceGate`): the similarities below which
an answer says nothing the question asks, whatever its words and where it says none of a model
answer's.
Fitted per model identity on the dev set's tuning part plus junk made here from templates
(greetings, chat, markup, links, numbers, mentions, everyday sentences, keyboard mash), never on
held-out answers: people's grades say which tuning answers must pass, and every junk answer is
one that must not."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from content.schema import Prompt
from evaluators.fitting.rows import Row
from evaluators.fitting.samples import Sample
from evaluators.rules.evidence_gate import NO_EVIDENCE_CAP, EvidenceGate

JUNK_PER_PROMPT = 6
PASSING = 0.4
"""People's grade (a fraction of full marks, 2 of 5) from which `min_sim` may shut no answer."""
CLEARLY_RIGHT = 0.6
"""People's grade (3 of 5) from which `wordless_min_sim` may shut no answer."""
GATE_GAIN_TOLERANCE = 0.1
"""As for the off-topic rule: gains closer than one answer moving 10 points count as equal."""

_GREETINGS = ("hello", "hi all", "안녕하세요", "good morning everyone", "thanks!", "감사합니다")
_CHAT = (
    "lol",
    "ㅋㅋㅋ 모르겠다",
    "hmm let me think",
    "음... 글쎄요",
    "ok sounds good",
    "네 알겠습니다",
)
_EVERYDAY = (
    "I had {food} for lunch today.",
    "오늘 점심으로 {food} 먹었어요.",
    "The meeting moved to {day}, see you there.",
    "{day}에 회의가 있어요.",
    "Can someone water the plants near the window?",
    "주말에 {food} 먹으러 갈 사람?",
)
_FOODS = ("pizza", "kimchi stew", "a sandwich", "ramen", "bibimbap")
_DAYS = ("Monday", "Friday", "월요일", "금요일")
_NAMES = ("minji", "alex", "jisoo", "sam")
_MARKUP = (
    "<b>{word}</b>",
    "<script>alert({number})</script>",
    "```{word}```",
    "https://example.com/{word}",
    "@{name} {number}",
    "{number}",
    "{number}.{number}",
)


def _junk(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"{rng.choice(_GREETINGS)} {rng.choice(_CHAT)}"
    if kind == 1:
        return rng.choice(_EVERYDAY).format(food=rng.choice(_FOODS), day=rng.choice(_DAYS))
    if kind == 2:
        return rng.choice(_MARKUP).format(
            word=rng.choice(("test", "hello", "asdf", "foo")),
            number=rng.randrange(1, 100),
            name=rng.choice(_NAMES),
        )
    if kind == 3:
        letters = "asdfghjklqwertyuiopzxcvbnm"
        return " ".join(
            "".join(rng.choice(letters) for _ in range(rng.randrange(3, 8))) for _ in range(3)
        )
    return f"{rng.choice(_CHAT)} {rng.choice(_EVERYDAY).format(food='pizza', day='Friday')}"


def junk_rows(prompts: Sequence[Prompt]) -> tuple[list[Row], list[Prompt]]:
    """`JUNK_PER_PROMPT` junk answers (score 0) to each distinct prompt, the same on every run."""
    rows: list[Row] = []
    asked: list[Prompt] = []
    for prompt in {p.id: p for p in prompts}.values():
        rng = random.Random(f"junk:{prompt.id}")
        for _ in range(JUNK_PER_PROMPT):
            rows.append(Row(question=prompt.text.ko, answer=_junk(rng), score=0.0, score_max=1.0))
            asked.append(prompt)
    return rows, asked


def fit_evidence_gate(samples: Sequence[Sample], predicted: Sequence[float]) -> EvidenceGate:
    """Both thresholds of the gate, from `predicted` (the head's fractions for `samples`: tuning
    answers, out of fold where cross-validated, and junk with its target 0). `min_sim` shuts
    any answer and may shut none that people gave `PASSING` or more: a partly right answer is
    never capped for being far in meaning when its words are the question's. `wordless_min_sim`
    then shuts what is left that shares no word with a model answer, and may shut none that
    people gave `CLEARLY_RIGHT` or more: an answer that says nothing in the question's words and
    little near its meaning has no evidence, however it was graded ("Yes, it's fine." as much as
    "hello"), but a right answer in other words is never capped."""
    rows = [
        (s.measurement.nearest, s.target, p, s.measurement.shares_words)
        for s, p in zip(samples, predicted, strict=True)
        if s.measurement is not None
    ]
    if not rows:
        return EvidenceGate()
    sims = np.array([sim for sim, _, _, _ in rows])
    target = np.array([t for _, t, _, _ in rows])
    pred = np.array([p for _, _, p, _ in rows])
    wordless = np.array([not shares for _, _, _, shares in rows])
    gain = np.abs(pred - target) - np.abs(np.minimum(pred, NO_EVIDENCE_CAP / 100) - target)
    min_sim = _threshold(sims, target >= PASSING, gain)
    left = wordless if min_sim is None else wordless & (sims >= min_sim)
    wordless_min_sim = _threshold(sims[left], target[left] >= CLEARLY_RIGHT, gain[left])
    return EvidenceGate(min_sim=min_sim, wordless_min_sim=wordless_min_sim)


def _threshold(sims: np.ndarray, spared: np.ndarray, gain: np.ndarray) -> float | None:
    """The similarity below which capping most reduces the error (`gain` per answer), among
    those that cap no `spared` answer. Ties within `GATE_GAIN_TOLERANCE`: the lowest threshold,
    which shuts out least. None when none helps by more than the tolerance."""
    if not len(sims):
        return None
    ceiling = float(sims[spared].min()) if spared.any() else float(sims.max())
    candidates = [float(t) for t in np.unique(sims) if t <= ceiling]
    totals = [(float(gain[sims < t].sum()), t) for t in candidates]
    best = max((total for total, _ in totals), default=0.0)
    if best <= GATE_GAIN_TOLERANCE:
        return None
    return min(t for total, t in totals if total >= best - GATE_GAIN_TOLERANCE)
