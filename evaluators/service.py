"""The grader the bot holds: guardrails, then signals from one batched encode, then calibration,
then feedback. `create_grader` is the only constructor the rest of the project needs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.batcher import DEFAULT_MAX_BATCH, MicroBatcher
from evaluators.calibration import Calibration, Profile
from evaluators.concepts import AnswerText
from evaluators.embedder import Device, Embedder, Matrix, load_embedder
from evaluators.feedback import compose
from evaluators.grade import Flag, Grade, Verdict
from evaluators.guardrails import MAX_ANSWER_CHARS, Screening, screen
from evaluators.morphology import compact, surface_words
from evaluators.notation import read_notation
from evaluators.references import ReferenceStore
from evaluators.signals import Signals, measure
from evaluators.wellformed import well_formed

logger = logging.getLogger("quizmaster.evaluators")

OPEN_MIN_WORDS = 3
OPEN_MIN_CHARS = 10
OPEN_SHORT_SCORE = 60

_VERDICT_FLOORS = (
    (85, Verdict.CORRECT),
    (65, Verdict.MOSTLY_CORRECT),
    (35, Verdict.PARTIAL),
)


def verdict_for(score: int) -> Verdict:
    for floor, verdict in _VERDICT_FLOORS:
        if score >= floor:
            return verdict
    return Verdict.INCORRECT


def profile_for(prompt: Prompt) -> Profile:
    """Bank prompts name key concepts; external data (Mohler) brings only a reference."""
    return "concepts" if prompt.concepts else "reference_only"


@dataclass(frozen=True)
class Analyzed:
    """One text after the batch thread: its embedding, its token vectors when they were asked
    for, and its morphology."""

    vector: Matrix
    tokens: Matrix | None
    text: AnswerText


Request = tuple[str, bool]
"""A text for the batch thread, and whether its token vectors are wanted."""


class EmbeddingGrader:
    """Grades answers with a shared sentence-embedding model. Cheap to build: the model comes from
    the per-process cache, and asyncio machinery is created inside the running loop on first use.
    `calibration_source` says where the calibration came from, for `quizmaster doctor`."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        cache_dir: Path,
        calibration: Calibration,
        calibration_source: str = "given by the caller",
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        self.embedder = embedder
        self.calibration = calibration
        self.calibration_source = calibration_source
        self.store = ReferenceStore(embedder, cache_dir)
        self.batcher: MicroBatcher[Request, Analyzed] = MicroBatcher(
            self._analyze, max_batch=max_batch
        )

    async def prepare(self, bank: Bank) -> bool:
        """Load or compute the bank's reference embeddings (npz cache per model and bank content
        hash); True on a cache hit. Optional: prompts not prepared are encoded on first grade."""
        return await asyncio.to_thread(self.store.load_bank, bank)

    async def signals(self, prompt: Prompt, answer: str) -> Signals:
        """The raw signals of one answer (the harness fits calibration on these). A formula or
        snippet is read with the words its notation stands for (`read_notation`)."""
        answer = read_notation(answer)
        tokens = profile_for(prompt) == "reference_only"
        missing = self.store.missing(prompt, tokens=tokens)
        analyzed = await asyncio.gather(
            *(self.batcher.submit((t, tokens)) for t in [*missing, answer])
        )
        if missing:
            done = analyzed[:-1]
            self.store.put(
                missing,
                _stack([a.vector for a in done]),
                [a.tokens for a in done if a.tokens is not None] if tokens else None,
            )
        mine = analyzed[-1]
        # Fuzzy matching a 4000-character answer takes milliseconds: keep it off the loop too.
        return await asyncio.to_thread(
            partial(
                measure,
                prompt,
                self.store.vectors_for(prompt),
                mine.text,
                mine.vector,
                answer_tokens=mine.tokens,
                reference_tokens=self.store.reference_tokens(prompt) if tokens else (),
                question_tokens=self.store.question_tokens(prompt) if tokens else None,
                other_sim=self.store.nearest_elsewhere(prompt, mine.vector),
            )
        )

    async def grade(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
    ) -> Grade:
        """Guardrails first (deliberate scores), then one batched encode, signals, calibration
        and feedback; every CPU step runs in a worker thread."""
        answer = well_formed(answer)
        screening = await asyncio.to_thread(partial(screen, prompt, answer, revealed=revealed))
        if screening.final:
            return self._finish(
                prompt,
                screening=screening,
                score=screening.score,
                verdict=Verdict.NO_ANSWER,
                covered=(),
                missed=(),
                lang=lang,
                cap=cap,
            )
        if prompt.kind == "open":
            return self._finish(
                prompt,
                screening=screening,
                score=_participation(screening.text),
                verdict=Verdict.ACKNOWLEDGED,
                covered=(),
                missed=(),
                lang=lang,
                cap=cap,
            )
        signals = await self.signals(prompt, screening.text)
        score = round(100 * self.calibration.predict(profile_for(prompt), signals.values()))
        flags = screening.flags
        if signals.echoes_misconception:
            flags = (*flags, Flag.MISCONCEPTION)
        values, covered = signals.values(), len(signals.covered)
        rule = self.calibration.off_topic
        if rule.applies(values, covered):
            flags = (*flags, Flag.OFF_TOPIC)
        return self._finish(
            prompt,
            screening=Screening(
                text=screening.text, flags=flags, cap=rule.cap(screening.cap, values, covered)
            ),
            score=score,
            verdict=None,
            covered=signals.covered,
            missed=signals.missed,
            lang=lang,
            cap=cap,
        )

    async def aclose(self) -> None:
        """Stop the batch worker; the shared model stays loaded for other graders."""
        await self.batcher.aclose()

    def _finish(
        self,
        prompt: Prompt,
        *,
        screening: Screening,
        score: int,
        verdict: Verdict | None,
        covered: tuple[str, ...],
        missed: tuple[str, ...],
        lang: Lang,
        cap: int | None,
    ) -> Grade:
        flags = list(screening.flags)
        if screening.cap is not None:
            score = min(score, screening.cap)
        if cap is not None and score > cap:
            score = max(0, cap)
            flags.append(Flag.CAPPED)
        score = max(0, min(100, score))
        if verdict is None:
            verdict = verdict_for(score)
        return Grade(
            score=score,
            verdict=verdict,
            covered=covered,
            missed=missed,
            feedback=compose(
                prompt,
                verdict=verdict,
                missed=missed,
                flags=tuple(flags),
                lang=lang,
                cap=cap,
                limit=MAX_ANSWER_CHARS,
            ),
            flags=tuple(flags),
        )

    def _analyze(self, requests: Sequence[Request]) -> list[Analyzed]:
        """Batch body, run in a worker thread: one encode for the unique texts, then morphology.
        Token vectors come only when a request in the batch wants them (reference-only prompts):
        bank prompts never read them, and collecting them adds about 6% to each encode."""
        unique = list(dict.fromkeys(text for text, _ in requests))
        rows: Sequence[Matrix | None]
        if any(wants for _, wants in requests):
            vectors, rows = self.embedder.encode_with_tokens(unique)
        else:
            vectors, rows = self.embedder.encode(unique), [None] * len(unique)
        by_text = {
            text: Analyzed(vector=vector, tokens=tokens, text=AnswerText.of(text))
            for text, vector, tokens in zip(unique, vectors, rows, strict=True)
        }
        return [by_text[text] for text, _ in requests]


def _stack(rows: Sequence[Matrix]) -> Matrix:
    return np.stack(rows).astype(np.float32, copy=False)


def _participation(text: str) -> int:
    """Open prompts are counted, not judged: a genuine attempt of reasonable length earns full
    participation, a very short one less."""
    if len(surface_words(text)) >= OPEN_MIN_WORDS and len(compact(text)) >= OPEN_MIN_CHARS:
        return 100
    return OPEN_SHORT_SCORE


def create_grader(
    *,
    model_name: str,
    device: Device | str = "auto",
    cache_dir: Path,
) -> EmbeddingGrader:
    """A grader on the shared (model_name, device) model; falls back to the bundled
    all-MiniLM-L6-v2 (with one warning) when the model cannot be loaded. Its calibration is the
    one for the model's identity, fitted now (minutes on a small CPU) if there is none yet."""
    # The store fits through the harness, which imports this module.
    from evaluators.calibration_store import calibration_for

    embedder = load_embedder(model_name, device)
    found = calibration_for(embedder, cache_dir=cache_dir)
    return EmbeddingGrader(
        embedder,
        cache_dir=cache_dir,
        calibration=found.calibration,
        calibration_source=found.describe(),
    )
