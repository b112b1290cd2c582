"""The grader the bot holds: guardrails, then signals from one batched encode, then calibration,
then feedback. `create_grader` is the only constructor the rest of the project needs."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import SecretStr
from threadpoolctl import threadpool_limits

from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.batcher import DEFAULT_MAX_BATCH, MicroBatcher
from evaluators.calibration import Calibration, Profile
from evaluators.concepts import AnswerText
from evaluators.embedder import Device, EmbeddingModel, Matrix, load_embedder
from evaluators.feedback import compose
from evaluators.grade import Flag, Grade, Verdict
from evaluators.guardrails import MAX_ANSWER_CHARS, Screening, screen
from evaluators.morphology import compact, surface_words
from evaluators.notation import read_notation
from evaluators.references import ReferenceStore
from evaluators.remote_embedder import READ_TIMEOUT_S, REMOTE_DEVICE, remote_embedder
from evaluators.signals import Signals, measure
from evaluators.wellformed import well_formed

if TYPE_CHECKING:
    from evaluators.calibration_store import FoundCalibration

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


def _one_blas_thread() -> None:
    """numpy's BLAS keeps to one thread in a grading process. The grader's products are small
    (token alignment multiplies a few dozen token rows), and OpenBLAS threads spinning beside
    torch's on two cores made each take 18 ms instead of 1 ms while the model encoded in another
    thread: most of the cost of grading a team question, and of fitting a calibration."""
    threadpool_limits(limits=1, user_api="blas")


class EmbeddingGrader:
    """Grades answers with a shared sentence-embedding model. Cheap to build: the model comes from
    the per-process cache, and asyncio machinery is created inside the running loop on first use.
    `calibration_source` says where the calibration came from, for `quizmaster doctor`."""

    def __init__(
        self,
        embedder: EmbeddingModel,
        *,
        cache_dir: Path,
        calibration: Calibration | Callable[[], FoundCalibration],
        calibration_source: str = "given by the caller",
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        self.embedder = embedder
        _one_blas_thread()
        self._calibration = calibration if isinstance(calibration, Calibration) else None
        self._find_calibration = None if isinstance(calibration, Calibration) else calibration
        self._calibration_lock = threading.Lock()
        self.calibration_source = calibration_source
        self._overlap = embedder.device == REMOTE_DEVICE
        self.store = ReferenceStore(embedder, cache_dir)
        self.batcher: MicroBatcher[Request, Analyzed] = MicroBatcher(
            self._analyze, max_batch=max_batch
        )

    @property
    def calibration(self) -> Calibration:
        """The calibration, found on first use when it was given as a finder (blocking: it may
        probe the model and even fit; `grade` asks for it from a worker thread)."""
        with self._calibration_lock:
            if self._calibration is None:
                assert self._find_calibration is not None
                found = self._find_calibration()
                self._calibration = found.calibration
                self.calibration_source = found.describe()
            return self._calibration

    async def prepare(self, bank: Bank) -> bool:
        """Load or compute the bank's reference embeddings (npz cache per model and bank content
        hash); True on a cache hit. Optional: prompts not prepared are encoded on first grade."""
        return await asyncio.to_thread(self.store.load_bank, bank)

    async def prepare_tokens(self, prompts: Sequence[Prompt]) -> None:
        """Encode the token vectors that grading `prompts` as reference-only prompts reads, up
        front (see `ReferenceStore.encode_tokens`); nothing to do for a model without them."""
        if self.embedder.supports_tokens:
            await asyncio.to_thread(self.store.encode_tokens, prompts)

    async def signals(self, prompt: Prompt, answer: str) -> Signals:
        """The raw signals of one answer (the harness fits calibration on these). A formula or
        snippet is read with the words its notation stands for (`read_notation`). Token vectors
        are asked for on reference-only prompts when the model can give them; without them (a
        remote model) the token-alignment signals take their documented stand-in, the sentence
        similarity (`Signals.values`), in grading and in fitting alike."""
        answer = read_notation(answer)
        reference_only = profile_for(prompt) == "reference_only"
        tokens = reference_only and self.embedder.supports_tokens
        missing = self.store.missing(prompt, framed=reference_only, tokens=tokens)
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
        elsewhere = self.store.nearest_elsewhere(prompt, mine.vector)
        vectors = self.store.vectors_for(prompt)

        def on_worker() -> Signals:
            # Fuzzy matching a 4000-character answer takes milliseconds, and the bank's word
            # rarity is counted with Kiwi on first use: both stay off the loop.
            return measure(
                prompt,
                vectors,
                mine.text,
                mine.vector,
                answer_tokens=mine.tokens,
                reference_tokens=self.store.reference_tokens(prompt) if tokens else (),
                question_tokens=self.store.question_tokens(prompt) if tokens else None,
                elsewhere=elsewhere,
                rarity=self.store.rarity(),
            )

        return await asyncio.to_thread(on_worker)

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
        calibration = await asyncio.to_thread(lambda: self.calibration)
        score = round(100 * calibration.predict(profile_for(prompt), signals.values()))
        flags = screening.flags
        if signals.echoes_misconception:
            flags = (*flags, Flag.MISCONCEPTION)
        values, covered = signals.values(), len(signals.covered)
        rule = calibration.off_topic
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
        bank prompts never read them, and collecting them adds about 6% to each encode. With a
        remote model the encode only waits on the server, so the morphology runs meanwhile."""
        unique = list(dict.fromkeys(text for text, _ in requests))
        rows: Sequence[Matrix | None]
        with ThreadPoolExecutor(max_workers=1) if self._overlap else nullcontext() as pool:
            morphology = pool.submit(_morphology, unique) if pool is not None else None
            if any(wants for _, wants in requests):
                vectors, rows = self.embedder.encode_with_tokens(unique)
            else:
                vectors, rows = self.embedder.encode(unique), [None] * len(unique)
            texts = morphology.result() if morphology is not None else _morphology(unique)
        by_text = {
            text: Analyzed(vector=vector, tokens=tokens, text=analyzed)
            for text, vector, tokens, analyzed in zip(unique, vectors, rows, texts, strict=True)
        }
        return [by_text[text] for text, _ in requests]


def _morphology(texts: Sequence[str]) -> list[AnswerText]:
    return [AnswerText.of(text) for text in texts]


def _stack(rows: Sequence[Matrix]) -> Matrix:
    return np.stack(rows).astype(np.float32, copy=False)


def _participation(text: str) -> int:
    """Open prompts are counted, not judged: a genuine attempt of reasonable length earns full
    participation, a very short one less."""
    if len(surface_words(text)) >= OPEN_MIN_WORDS and len(compact(text)) >= OPEN_MIN_CHARS:
        return 100
    return OPEN_SHORT_SCORE


def create_embedder(
    *,
    model_name: str,
    device: Device | str = "auto",
    embedding_url: str | None = None,
    embedding_token: SecretStr | None = None,
    embedding_prefix: str = "auto",
    embedding_timeout_s: float = READ_TIMEOUT_S,
) -> EmbeddingModel:
    """The shared (model_name, device) model, falling back to the bundled all-MiniLM-L6-v2 (with
    one warning) when it cannot be loaded; with `embedding_url`, that OpenAI-compatible server
    asked for `model_name` instead, and neither torch nor a model is loaded in this process."""
    if embedding_url is not None:
        return remote_embedder(
            embedding_url,
            model=model_name,
            token=embedding_token,
            prefix=embedding_prefix,
            timeout_s=embedding_timeout_s,
        )
    return load_embedder(model_name, device)


def create_grader(
    *,
    model_name: str,
    device: Device | str = "auto",
    cache_dir: Path,
    embedding_url: str | None = None,
    embedding_token: SecretStr | None = None,
    embedding_prefix: str = "auto",
    embedding_timeout_s: float = READ_TIMEOUT_S,
) -> EmbeddingGrader:
    """A grader on `create_embedder`'s model. Its calibration is the one for the model's
    identity, found (or fitted, minutes on a small CPU) on first use: a server that is down at
    start delays that, it does not stop the bot."""
    embedder = create_embedder(
        model_name=model_name,
        device=device,
        embedding_url=embedding_url,
        embedding_token=embedding_token,
        embedding_prefix=embedding_prefix,
        embedding_timeout_s=embedding_timeout_s,
    )
    return grader_on(embedder, cache_dir=cache_dir)


def grader_on(embedder: EmbeddingModel, *, cache_dir: Path) -> EmbeddingGrader:
    """A grader on an embedder already made; its calibration is looked up (or fitted) for the
    embedder's identity on first use."""
    # The store fits through the harness, which imports this module.
    from evaluators.calibration_store import calibration_for

    return EmbeddingGrader(
        embedder,
        cache_dir=cache_dir,
        calibration=partial(calibration_for, embedder, cache_dir=cache_dir),
    )
