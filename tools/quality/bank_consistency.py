"""What `quizmaster content check` asks of a bank that only the model can answer.

A bank that disagrees with its own grader grades its members wrong before anyone has answered:
two main questions that ask the same thing (a channel gets a repeat under another id), a model
answer that scores under full marks against its own question, a key concept its own model answer
is not credited with (every right answer would be told to "also explain" it), or a stated
misconception the grader would call right or that a model answer says. The structural checks are
`content.check`'s; these grade the bank's own texts, so they need the model the bot grades with.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np

from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.bank_index import SAME_QUESTION
from evaluators.embedding.vectors import Matrix
from evaluators.grade import Grade, Grader
from evaluators.model_settings import ModelSettings
from evaluators.references import ReferenceStore
from evaluators.service import EmbeddingGrader, grader_on

MODEL_ANSWER_MIN = 90
"""A model answer graded against its own question scores at least this."""
MISCONCEPTION_MAX = 40
"""A misconception stated as the answer scores at most this."""


@dataclass(frozen=True)
class Finding:
    """One disagreement: the prompt, the field it is about and what to do."""

    prompt_id: str
    field: str
    message: str


def near_duplicates(
    grader: EmbeddingGrader, mains: Sequence[Prompt], checked: Set[str]
) -> list[Finding]:
    """Each pair of main questions, one of them `checked`, whose texts in Korean or in English
    are at least `SAME_QUESTION` apart, named on the later one. Each wording is read from the
    grader's store where it holds it (a prepared bank's: the shipped vectors hold the default
    bank's, and the grader compares these same vectors with the bound, `BankIndex`), the rest
    encoded."""
    found: list[Finding] = []
    langs: tuple[Lang, ...] = ("ko", "en")
    for lang in langs:
        vectors = _wordings(grader, [prompt.text.get(lang) for prompt in mains])
        similar = np.triu(vectors @ vectors.T, k=1)
        for first, later in zip(*np.nonzero(similar >= SAME_QUESTION), strict=True):
            if not {mains[first].id, mains[later].id} & checked:
                continue
            cosine = float(similar[first, later])
            found.append(
                Finding(
                    mains[later].id,
                    f"text.{lang}",
                    f"asks what {mains[first].id} asks (cosine {cosine:.3f}, at least "
                    f"{SAME_QUESTION}); ask something else or drop one",
                )
            )
    return found


def _wordings(grader: EmbeddingGrader, texts: Sequence[str]) -> Matrix:
    """The vectors of `texts`, in order: the store's, or encoded where it holds none."""
    held: dict[str, Matrix] = {}
    for text in texts:
        with contextlib.suppress(KeyError):
            held[text] = grader.store.vector(text)
    new = [text for text in dict.fromkeys(texts) if text not in held]
    if new:
        held.update(zip(new, grader.embedder.encode(new), strict=True))
    return np.stack([held[text] for text in texts]).astype(np.float32, copy=False)


def misconceptions_like_model_answers(
    store: ReferenceStore, prompts: Sequence[Prompt]
) -> list[Finding]:
    """Each misconception that says what a model answer of its prompt says (cosine at least
    `SAME_QUESTION`): a right answer written down as a misconception. Grading cannot find one,
    since an answer that states a misconception is capped for stating it
    (`stated_misconceptions`), so its text is compared with the model answers directly. Read from
    the grader's `store`, which holds every text of `prompts` once they are prepared or graded
    (the shipped vectors hold the default bank's: encoding them again took minutes)."""
    found: list[Finding] = []
    for prompt in prompts:
        if not prompt.misconceptions or not prompt.references:
            continue
        wrong = np.stack([store.vector(m.text) for m in prompt.misconceptions])
        right = np.stack([store.vector(r.text) for r in prompt.references])
        similar = wrong @ right.T
        for index, reference in zip(*np.nonzero(similar >= SAME_QUESTION), strict=True):
            found.append(
                Finding(
                    prompt.id,
                    f"misconceptions.{index}",
                    f"says what references.{reference} says (cosine "
                    f"{float(similar[index, reference]):.3f}, at least {SAME_QUESTION}): a "
                    "right answer; make it a plain wrong claim",
                )
            )
    return found


async def self_consistency(grader: Grader, prompts: Sequence[Prompt]) -> list[Finding]:
    """Each graded prompt's model answers scored against it (at least `MODEL_ANSWER_MIN`: the
    guardrails read a model answer as any answer, so one too short, or worded as a non-answer,
    is capped; and every key concept credited by a model answer in each of their languages),
    and its misconceptions (at most `MISCONCEPTION_MAX`)."""
    graded = [p for p in prompts if p.kind == "graded" and p.references]
    references = await asyncio.gather(
        *(grader.grade(p, r.text, lang=r.lang) for p in graded for r in p.references)
    )
    mistaken = await asyncio.gather(
        *(grader.grade(p, m.text, lang=m.lang) for p in graded for m in p.misconceptions)
    )
    found: list[Finding] = []
    answers, wrongs = iter(references), iter(mistaken)
    for prompt in graded:
        found += _model_answers(prompt, [next(answers) for _ in prompt.references])
        for index, grade in enumerate(next(wrongs) for _ in prompt.misconceptions):
            if grade.score > MISCONCEPTION_MAX:
                found.append(
                    Finding(
                        prompt.id,
                        f"misconceptions.{index}",
                        f"scores {grade.score} (at most {MISCONCEPTION_MAX}) stated as the "
                        "answer: the grader would call it right; make it a plain wrong claim",
                    )
                )
    return found


def _model_answers(prompt: Prompt, grades: Sequence[Grade]) -> list[Finding]:
    found: list[Finding] = []
    credited: dict[Lang, set[str]] = {}
    for index, (reference, grade) in enumerate(zip(prompt.references, grades, strict=True)):
        credited.setdefault(reference.lang, set()).update(grade.covered)
        if grade.score < MODEL_ANSWER_MIN:
            found.append(
                Finding(
                    prompt.id,
                    f"references.{index}",
                    f"scores {grade.score} (at least {MODEL_ANSWER_MIN}) against its own "
                    "question: a rule caps it (too short, or worded like a non-answer)",
                )
            )
    for lang, covered in credited.items():
        if missing := [c.id for c in prompt.concepts if c.id not in covered]:
            found.append(
                Finding(
                    prompt.id,
                    "concepts",
                    f"{', '.join(missing)} not credited on any {lang} model answer: add the "
                    "answer's wording to the concept's synonyms",
                )
            )
    return found


async def check_bank(
    grader: EmbeddingGrader, bank: Bank, checked: Sequence[Prompt]
) -> list[Finding]:
    """Every finding for the prompts `checked`, graded in `bank` (all the prompts the bot would
    load beside them, so a question's neighbours are the bot's)."""
    ids = {prompt.id for prompt in checked}
    graded = await self_consistency(grader, checked)
    return (
        near_duplicates(grader, bank.mains(), ids)
        + misconceptions_like_model_answers(grader.store, checked)
        + graded
    )


def check_with(settings: ModelSettings, bank: Bank, checked: Sequence[Prompt]) -> list[Finding]:
    """`check_bank` with the model `settings` name (blocking: it loads the model and encodes
    what the shipped vectors and the cache do not hold)."""
    embedder = settings.embedder()
    grader = grader_on(embedder, cache_dir=settings.cache_dir)

    async def run() -> list[Finding]:
        try:
            await grader.prepare(bank)
            return await check_bank(grader, bank, checked)
        finally:
            await grader.aclose()

    return asyncio.run(run())
