"""The grader the bot holds: guardrails, then the answer measured (one batched encode), then the
shared scoring function and feedback. `create_grader` is the only constructor the rest of the
project needs."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Unpack

from pydantic import SecretStr

from content.bank import Bank
from content.schema import Lang, Prompt
from content.text_rule import well_formed
from evaluators.calibration import Calibration
from evaluators.embedding.batcher import DEFAULT_MAX_BATCH
from evaluators.embedding.identity import ModelIdentity
from evaluators.embedding.loading import create_embedder
from evaluators.embedding.remote import READ_TIMEOUT_S
from evaluators.embedding.vectors import Device, EmbeddingModel, Matrix
from evaluators.features.measurement import Measurement
from evaluators.finite import (
    NonFiniteError,
    Numbers,
    fields_of,
    of_measurement,
    refuse_non_finite,
)
from evaluators.fitting.store import (
    FoundCalibration,
    Source,
    calibration_for,
    refused_calibrations,
)
from evaluators.grade import Grade, GradeOptions
from evaluators.measuring import AnswerMeasurer
from evaluators.scoring import Scored, score, screen
from evaluators.signals import as_answered
from evaluators.taught import DEFAULT_KERNEL, TeamGrade, nudge
from evaluators.team_evidence import TeamEvidence
from evaluators.text_vectors import ShippedVectors

logger = logging.getLogger("quizmaster.evaluators")


class EmbeddingGrader:
    """Grades answers with a shared sentence-embedding model. Cheap to build: the model comes from
    the per-process cache, and asyncio machinery is created inside the running loop on first use.
    `calibration_source` says where the calibration came from, for `quizmaster doctor`;
    `shipped`, where the package's vectors are read from (the package's own folder)."""

    def __init__(
        self,
        embedder: EmbeddingModel,
        *,
        cache_dir: Path,
        calibration: Calibration | Callable[[], FoundCalibration],
        calibration_source: str = "given by the caller",
        max_batch: int = DEFAULT_MAX_BATCH,
        shipped: ShippedVectors | None = None,
    ) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.measurer = AnswerMeasurer(
            embedder, cache_dir=cache_dir, max_batch=max_batch, shipped=shipped
        )
        self.store = self.measurer.store
        self.batcher = self.measurer.batcher
        self._calibration = calibration if isinstance(calibration, Calibration) else None
        self._find_calibration = None if isinstance(calibration, Calibration) else calibration
        self._calibration_lock = threading.Lock()
        self.calibration_source = calibration_source
        self.team_evidence = TeamEvidence()
        self._refused: str | None = None
        """Why the calibration's fit was refused (a NaN or an infinity), once it was."""

    @property
    def calibration(self) -> Calibration:
        """The calibration, found on first use when it was given as a finder (blocking: it may
        probe the model and even fit; `grade` asks for it from a worker thread). One holding a
        NaN or an infinity is refused (`NonFiniteError`); a fit refused for one is not tried
        again by this process: it would be refused again, after minutes of measuring, for
        every answer."""
        with self._calibration_lock:
            if self._refused is not None:
                raise NonFiniteError(self._refused)
            if self._calibration is None:
                assert self._find_calibration is not None
                try:
                    found = self._find_calibration()
                except NonFiniteError as exc:
                    self._refused = exc.reason
                    raise
                self._calibration = found.calibration
                self.calibration_source = found.describe()
            self._calibration.refuse_non_finite(f"the calibration ({self.calibration_source})")
            return self._calibration

    def refused_calibrations(self, identity: ModelIdentity) -> list[tuple[Source, str]]:
        """Each calibration file `identity` would be looked for in that fails its strict model,
        with where it is from and why, moving nothing (`quizmaster doctor`: a committed one
        refused is a damaged install; a cache one, a file the next start sets aside)."""
        refused = refused_calibrations(identity, self.cache_dir)
        return [(source, str(exc)) for source, exc in refused]

    async def prepare(self, bank: Bank) -> bool:
        """Load or compute the bank's reference embeddings (npz cache per model and bank content
        hash); True on a cache hit. Optional: prompts not prepared are encoded on first grade."""
        return await self.measurer.prepare(bank)

    async def prepare_tokens(self, prompts: Sequence[Prompt]) -> None:
        """Encode up front the token vectors grading `prompts` as reference-only prompts reads."""
        await self.measurer.prepare_tokens(prompts)

    async def measure(self, prompt: Prompt, answer: str) -> Measurement:
        """The measurement of one answer (see `AnswerMeasurer.measure`)."""
        return await self.measurer.measure(prompt, answer)

    async def grade(self, prompt: Prompt, answer: str, **options: Unpack[GradeOptions]) -> Grade:
        """Guardrails first (deliberate scores), then one batched encode, features, scoring and
        feedback; every CPU step runs in a worker thread. `taught`: the grades this answer's
        team gave other answers to `prompt`, read as evidence (`evaluators.taught`)."""
        scored = await self.explain(prompt, answer, **options)
        return scored.grade

    async def explain(self, prompt: Prompt, answer: str, **options: Unpack[GradeOptions]) -> Scored:
        """`grade`, with the explanation of the score: each feature's value and contribution,
        the head, every guardrail or cap that fired, and what the team's graded answers moved.
        A NaN or an infinity among the numbers the grade is made of (the vectors, the features,
        the calibration, the team's evidence, the head's sum) is refused with `NonFiniteError`
        and one log line naming it: nothing is graded."""
        try:
            return await self._explain(prompt, answer, **options)
        except NonFiniteError as exc:
            logger.error("refused to grade an answer to %s: %s", prompt.id, exc.reason)
            raise

    async def _explain(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
        taught: Sequence[TeamGrade] = (),
    ) -> Scored:
        """`explain`, `options` read: each one left out takes its default here, the one place
        the grader says what a key left out of `GradeOptions` means."""
        held = await self.team_evidence.held(prompt, taught, self.alone) if taught else []
        answer = well_formed(answer)
        prompt = as_answered(prompt, answer)
        screening = await asyncio.to_thread(partial(screen, prompt, answer, revealed=revealed))
        if screening.final or prompt.kind == "open":
            return score(prompt, screening, None, None, lang=lang, cap=cap)
        measurement, vector = await self._measured(prompt, screening.text)
        calibration = await asyncio.to_thread(lambda: self.calibration)
        shift = nudge(vector, held, calibration.team_kernel or DEFAULT_KERNEL) if held else None
        if shift is not None:
            refuse_non_finite(
                "the team's evidence",
                {"shift": shift.shift, "trust": shift.trust, "nearest": shift.nearest_sim},
            )
        return score(prompt, screening, measurement, calibration, lang=lang, cap=cap, taught=shift)

    async def _measured(self, prompt: Prompt, answer: str) -> tuple[Measurement, Matrix]:
        """The measurement of `answer` and its vector, refused (`NonFiniteError`) when a NaN or
        an infinity is among the vectors it was made of or what was measured: the check comes
        before the calibration is asked for, so a model giving NaN never sets off a fit."""
        measurement, vector = await self.measurer.measured(prompt, answer)
        refuse_non_finite(
            f"the measurement of an answer to {prompt.id}",
            dict(self._numbers(prompt, measurement, vector)),
        )
        return measurement, vector

    def _numbers(
        self, prompt: Prompt, measurement: Measurement, vector: Matrix
    ) -> Iterator[tuple[str, Numbers]]:
        """Every number a grade of an answer to `prompt` is made of, before the calibration:
        its vector, the prompt's vectors, what was measured and the features."""
        yield "answer vector", vector
        yield from fields_of(self.store.vectors_for(prompt), "vectors")
        yield from of_measurement(measurement)
        other = measurement.other_answer
        if other is not None:
            for name, value in of_measurement(other.measured):
                yield f"{name} of {other.prompt.id}'s model answer", value

    async def alone(self, prompt: Prompt, answer: str) -> tuple[Matrix, int] | None:
        """A team-graded answer's vector and the grade this grader gives it without evidence;
        None where a guardrail or an open prompt decides it (no head to correct)."""
        answer = well_formed(answer)
        prompt = as_answered(prompt, answer)
        screening = await asyncio.to_thread(partial(screen, prompt, answer, revealed=False))
        if screening.final or prompt.kind == "open":
            return None
        measurement, vector = await self._measured(prompt, screening.text)
        calibration = await asyncio.to_thread(lambda: self.calibration)
        return vector, score(prompt, screening, measurement, calibration).grade.score

    async def aclose(self) -> None:
        """Stop the batch worker; the shared model stays loaded for other graders."""
        await self.measurer.aclose()


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
    return EmbeddingGrader(
        embedder,
        cache_dir=cache_dir,
        calibration=partial(calibration_for, embedder, cache_dir=cache_dir),
    )
