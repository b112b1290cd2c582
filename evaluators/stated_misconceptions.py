"""Which of a prompt's misconceptions an answer states, by meaning: the answer's claims compared
with each misconception and with the model answers' own claims on the model's vectors.

A sentence vector of the whole answer reads "L2 makes weights exactly zero, while L1 shrinks them
smoothly" as the model answer itself: the same words, the same topic. One claim at a time it is
nearer the misconception "L2 makes weights exactly zero" than any claim of the model answer. So
the answer is cut into its claims (`reading.clauses`: each clause, and each two clauses side by
side, so a claim cut at a comma is still read whole), and so are the model answers; an answer
states a misconception when one of its claims is close to it (`MIN_SIMILARITY`) and closer to it
than to every claim of the model answers by `MARGIN`, and it says at least `OWN_WORDS` of the
misconception's own words. A right answer that says the model answer's
claim in the misconception's words ("L2 shrinks the weights but never makes them exactly zero")
stays nearer the model answer's claim that says the same.

On Korean the vectors of two sentences about one subject sit close whatever they claim: "max
pooling은 영역 안에서 가장 강하게 반응한 값만 남기" is 0.96 from the misconception "max pooling을
쓰는 이유는 학습 가능한 파라미터가 있어서…", and nearer it than any claim of the model answer.
Right answers flagged that way share only the subject's words with the misconception (at most a
quarter of the words it says beyond the question's, on the dev set's right answers); an answer
that states it says its words (a third or more: "k-means는 항상 global optimum으로 수렴해서
초기값이랑 상관없이").

A team's notes write each misconception in one language, and a member may answer in the other:
no word of a Korean misconception is said in an English answer that states it. Where a prompt
has no misconception in the answer's language, a claim is read against those of the other
language by meaning alone, with its own margin (`MARGIN_ACROSS`); the claims of the model
answers it must beat include those in the answer's own language, which sit nearer it for that
alone. A seed prompt writes each misconception in both languages and is never read across.

The claims of the answer, of the model answers and the misconceptions are encoded in the answer's
own batch (`measuring.AnswerMeasurer`); the prompt's are kept once encoded."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from content.schema import Prompt
from evaluators.embedding.vectors import Matrix
from evaluators.reading.clauses import clauses, lemmas_of
from evaluators.reading.contrasts import claims as contrast_claims
from evaluators.reading.language import answer_language
from evaluators.reading.morphology import normalize

MIN_SIMILARITY = 0.88
"""How close (cosine, the default model) an answer's claim must be to a misconception to state
it: near-paraphrases of a misconception sit above it, claims about the same topic below."""
MARGIN = 0.03
"""How much nearer the misconception than every claim of the model answers the claim must be."""
MARGIN_ACROSS = 0.015
"""The margin for a claim read against a misconception written only in the other language: on
the truth set's open half, answers stating such a misconception beat the model answers' claims
by 0.006 to 0.049, and no other answer beat them (at most -0.002). The floor stays
`MIN_SIMILARITY`: cosines across languages run lower, and a short claim naming the same side
("L2는 제곱합") comes 0.86 near "L2 makes weights exactly zero"; only a plain restatement
reaches it."""
_SENTENCE_END = re.compile(r"[.!?。]")
OWN_WORDS = 1 / 3
"""The share of a misconception's own words (its lemmas the question does not say) a claim must
say to state it: the line between sharing a subject and making the claim."""
MIN_WORDS = 2
"""Clauses of fewer words are read only beside their neighbour ("so", "it is")."""


@dataclass(frozen=True)
class Stated:
    """The misconception an answer states: its index among the prompt's, how close the answer's
    nearest claim is to it, and to the nearest claim of the model answers."""

    index: int
    similarity: float
    right: float


def claims_of(text: str) -> tuple[str, ...]:
    """The claims of `text` to encode: each clause of enough words, and each two neighbouring
    clauses of one sentence together, in the normalized text's own words; and a covariation
    whole (`contrasts.claims`: "decay β를 작게 | 할수록 | 더 긴 구간을 평균 내"), alone and with
    the clause after it, since its halves cut apart say which way nothing moves."""
    normalized = normalize(text)
    read = clauses(text)
    spans = [c.span for c in read if len(c.lemmas) >= MIN_WORDS]
    spans += [
        (a.span[0], b.span[1])
        for a, b in itertools.pairwise(read)
        if not _SENTENCE_END.search(normalized, a.span[1], b.span[0])
    ]
    joined = contrast_claims(text)
    spans += [c.span for c in joined if c.lead]
    spans += [
        (a.span[0], b.span[1])
        for a, b in itertools.pairwise(joined)
        if a.lead and not _SENTENCE_END.search(normalized, a.span[1], b.span[0])
    ]
    return tuple(dict.fromkeys(normalized[s:e].strip() for s, e in spans if e > s))


def claims_to_read(prompt: Prompt, answer: str) -> tuple[str, ...]:
    """The claims of `answer` that could state one of `prompt`'s misconceptions: those saying
    `OWN_WORDS` of one's own words. No other claim is ever read as stating one, whatever its
    vector, so only these are encoded (about one claim in ten of the dev set's answers)."""
    claims = claims_of(answer) if prompt.misconceptions else ()
    if not claims:
        return ()
    says = _says_its_words(prompt, claims)
    return tuple(claim for claim, row in zip(claims, says, strict=True) if row.any())


def prompt_texts(prompt: Prompt) -> tuple[str, ...]:
    """What a prompt's reading needs encoded: its misconceptions, then its model answers'
    claims (all languages: the model compares across them), normalized as the answer's claims
    are."""
    if not prompt.misconceptions:
        return ()
    return (
        *(normalize(m.text) for m in prompt.misconceptions),
        *dict.fromkeys(c for r in prompt.references for c in claims_of(r.text)),
    )


def stated_misconception(
    prompt: Prompt, claims: Sequence[str], answer_claims: Matrix, prompt_vectors: Matrix
) -> Stated | None:
    """The misconception of `prompt` the answer states most plainly, if it states one:
    `claims` are `claims_of(answer)` and `answer_claims` their vectors, `prompt_vectors` those
    of `prompt_texts(prompt)`, in order."""
    count = len(prompt.misconceptions)
    if not count or answer_claims.shape[0] == 0:
        return None
    wrong, right = prompt_vectors[:count], prompt_vectors[count:]
    to_wrong = answer_claims @ wrong.T
    to_right = (
        (answer_claims @ right.T).max(axis=1)
        if right.shape[0]
        else np.zeros(answer_claims.shape[0], dtype=np.float32)
    )
    margins = np.where(_across(prompt, claims), MARGIN_ACROSS, MARGIN)
    beyond = np.where(
        (to_wrong >= MIN_SIMILARITY) & _says_its_words(prompt, claims),
        to_wrong - to_right[:, None] - margins,
        -np.inf,
    )
    claim, index = np.unravel_index(int(np.argmax(beyond)), beyond.shape)
    if beyond[claim, index] < 0:
        return None
    return Stated(int(index), float(to_wrong[claim, index]), float(to_right[claim]))


def _across(prompt: Prompt, claims: Sequence[str]) -> np.ndarray:
    """For each claim (rows) and misconception (columns), whether the claim is read against it
    across languages: the misconception is in the other language, and the prompt has none in
    the claim's."""
    langs = [m.lang for m in prompt.misconceptions]
    return np.array(
        [
            [lang != said and said not in langs for lang in langs]
            for said in map(answer_language, claims)
        ],
        dtype=bool,
    ).reshape(len(claims), len(langs))


def _says_its_words(prompt: Prompt, claims: Sequence[str]) -> np.ndarray:
    """For each claim (rows) and misconception (columns), whether the claim says `OWN_WORDS` of
    the misconception's own words; across languages (`_across`) no word can be said, and the
    claim is read by meaning alone."""
    asked = lemmas_of(prompt.text.ko) | lemmas_of(prompt.text.en)
    own = [lemmas_of(m.text) - asked for m in prompt.misconceptions]
    said = [lemmas_of(claim) for claim in claims]
    says = np.array(
        [[bool(words) and len(words & s) >= OWN_WORDS * len(words) for words in own] for s in said],
        dtype=bool,
    ).reshape(len(said), len(own))
    says |= _across(prompt, claims)
    return says


def stacked(rows: Sequence[Matrix]) -> Matrix:
    """Rows stacked into one float32 matrix (an empty one for no rows)."""
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack(rows).astype(np.float32, copy=False)
