"""Measuring answers: one batched encode per burst of answers, then the measurement of each
against its prompt's model answers. It knows nothing of calibration, so the live grader and the
calibration fit measure through the same code."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from content.bank import Bank
from content.schema import Concept, Prompt
from evaluators.bank_index import Elsewhere
from evaluators.embedding.batcher import DEFAULT_MAX_BATCH, MicroBatcher
from evaluators.embedding.remote import REMOTE_DEVICE
from evaluators.embedding.vectors import EmbeddingModel, Matrix
from evaluators.features.feature import profile_for
from evaluators.features.measurement import Measurement, OtherAnswer
from evaluators.reading.concept_meaning import NO_SPANS, AnswerSpans, span_texts
from evaluators.reading.concepts import AnswerText, ConceptMatch, concept_present, find_concept
from evaluators.reading.language import answer_language
from evaluators.reading.notation import read_notation
from evaluators.recent_vectors import RecentVectors, recent_of
from evaluators.references import ReferenceStore
from evaluators.signals import measure
from evaluators.stated_misconceptions import (
    claims_to_read,
    prompt_texts,
    stacked,
    stated_misconception,
)
from evaluators.text_vectors import ShippedVectors


@dataclass(frozen=True)
class Analyzed:
    """One text after the batch thread: its embedding, its token vectors when they were asked
    for, its morphology, and its clauses' vectors when they were asked for."""

    vector: Matrix
    tokens: Matrix | None
    text: AnswerText
    spans: AnswerSpans = NO_SPANS


NO_TEXT = AnswerText.of("")
"""A side text's morphology: never read."""
Request = tuple[str, bool, tuple[Concept, ...], bool]
"""A text for the batch thread, whether its token vectors are wanted, the key concepts its
clauses are compared with (`concept_meaning`; none for a prompt's own texts), and whether it is
a side text: a claim read for a misconception (`stated_misconceptions`), wanted as a vector
alone and encoded apart from the answers, so an answer's own vector is the same whether or not
its claims, or its prompt's, were encoded before."""


def _one_blas_thread() -> None:
    """numpy's BLAS keeps to one thread in a measuring process. The products are small (token
    alignment multiplies a few dozen token rows), and OpenBLAS threads spinning beside torch's
    only contend with the model encoding in another thread."""
    threadpool_limits(limits=1, user_api="blas")


class AnswerMeasurer:
    """Measures answers with a shared sentence-embedding model: concurrent calls are gathered
    into one encode (`batcher`), and the prompts' model answers are encoded once (`store`)."""

    def __init__(
        self,
        embedder: EmbeddingModel,
        *,
        cache_dir: Path,
        max_batch: int = DEFAULT_MAX_BATCH,
        shipped: ShippedVectors | None = None,
        recent: RecentVectors | None = None,
    ) -> None:
        self.embedder = embedder
        _one_blas_thread()
        self._overlap = embedder.device == REMOTE_DEVICE
        self.store = ReferenceStore(embedder, cache_dir, shipped=shipped)
        self._others: dict[tuple[Prompt, str], Measurement] = {}
        """Other questions' model answers measured as answers to a prompt (`_other_answer`)."""
        self._claims: dict[str, Matrix] = {}
        """The vectors of prompts' misconceptions and model answers' claims
        (`stated_misconceptions.prompt_texts`), encoded with the first answer to each."""
        self._side = recent_of(embedder) if recent is None else recent
        """The vectors of side texts and answers' clauses, the model's in this process unless
        given (`recent_vectors`)."""
        self.batcher: MicroBatcher[Request, Analyzed] = MicroBatcher(
            self._analyze, max_batch=max_batch
        )
        self._encoding: dict[tuple[str, bool], asyncio.Task[Analyzed]] = {}
        """A prompt's texts being encoded, each once: the answers of a burst to one prompt
        (a channel's thread after a restart, an evaluation's gather) all find its texts
        missing before the first encode ends, and wait on that encode instead of each
        asking for the prompt's texts again."""

    async def prepare(self, bank: Bank) -> bool:
        """Load or compute the bank's reference embeddings (npz cache per model and bank content
        hash); True on a cache hit. Optional: prompts not prepared are encoded on first use."""
        self._others.clear()
        self._claims.clear()
        return await asyncio.to_thread(self.store.load_bank, bank)

    async def prepare_tokens(self, prompts: Sequence[Prompt]) -> None:
        """Encode the token vectors that measuring `prompts` as reference-only prompts reads, up
        front (see `ReferenceStore.encode_tokens`); nothing to do for a model without them."""
        if self.embedder.supports_tokens:
            await asyncio.to_thread(self.store.encode_tokens, prompts)

    async def measure(self, prompt: Prompt, answer: str) -> Measurement:
        """The measurement of one answer (see `measured`)."""
        measurement, _ = await self.measured(prompt, answer)
        return measurement

    async def measured(self, prompt: Prompt, answer: str) -> tuple[Measurement, Matrix]:
        """The measurement of one answer, and its sentence vector (what team evidence compares
        with the graded answers' vectors). A formula or snippet is read with the words its
        notation stands for (`read_notation`). Token vectors are asked for on reference-only
        prompts when the model can give them; without them (a remote model) the token-alignment
        features read their stand-in, the sentence similarity."""
        written = len(answer)
        answer = read_notation(answer)
        profile = profile_for(prompt, answer_language(answer))
        tokens = profile == "reference_only" and self.embedder.supports_tokens
        missing = self.store.missing(prompt, framed=profile != "concepts", tokens=tokens)
        # An answer to a prompt with misconceptions is read claim by claim too
        # (`stated_misconceptions`): the claims that could state one, and the prompt's texts not
        # yet encoded, in its batch.
        claims = claims_to_read(prompt, answer)
        wanted = prompt_texts(prompt) if claims else ()
        unknown = [t for t in dict.fromkeys(wanted) if t not in self._claims]
        # The prompt's own texts not yet encoded go first, in a batch of their own: an answer's
        # vector is then the same for its first answer as for every later one.
        done = await asyncio.gather(*(self._prompt_text(t, tokens) for t in missing))
        requests: list[Request] = [(answer, tokens, prompt.concepts, False)]
        requests.extend((t, False, (), True) for t in [*claims, *unknown])
        analyzed = await asyncio.gather(*(self.batcher.submit(r) for r in requests))
        claimed = [a.vector for a in analyzed[1 : 1 + len(claims)]]
        self._claims.update(
            (t, a.vector) for t, a in zip(unknown, analyzed[1 + len(claims) :], strict=True)
        )
        stated = stated_misconception(
            prompt, claims, stacked(claimed), stacked([self._claims[t] for t in wanted])
        )
        if missing:
            self.store.put(
                missing,
                _stack([a.vector for a in done]),
                [a.tokens for a in done if a.tokens is not None] if tokens else None,
                keep=True,
            )
            for text in missing:
                self._encoding.pop((text, tokens), None)
        mine = analyzed[0]
        neighbours = self.store.neighbours(prompt, mine.vector)
        vectors = self.store.vectors_for(prompt)

        def on_worker() -> Measurement:
            # Fuzzy matching a 4000-character answer takes milliseconds, and the bank's word
            # rarity is counted with Kiwi on first use: both stay off the loop.
            measured = measure(
                prompt,
                vectors,
                mine.text,
                mine.vector,
                answer_tokens=mine.tokens,
                spans=mine.spans,
                reference_tokens=self.store.reference_tokens(prompt) if tokens else (),
                question_tokens=self.store.question_tokens(prompt) if tokens else None,
                elsewhere=neighbours.elsewhere,
                sibling=neighbours.sibling,
                rarity=self.store.rarity(),
            )
            own = _in_own_words(prompt, measured.found.matches, mine.text.text[:written])
            return replace(
                measured,
                found=replace(
                    measured.found,
                    matches=own,
                    stated=None if stated is None else stated.index,
                ),
                other_answer=self._other_answer(prompt, neighbours.elsewhere),
            )

        return await asyncio.to_thread(on_worker), mine.vector

    def _prompt_text(self, text: str, tokens: bool) -> asyncio.Future[Analyzed]:
        """The encode of one of a prompt's texts, shared by every answer that finds it missing
        while it runs. It is dropped once its vector is in the store, or when it failed (the
        next answer asks again); an answer cancelled while waiting leaves it running for the
        others."""
        key = (text, tokens)
        task = self._encoding.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self.batcher.submit((text, tokens, (), False)))
            self._encoding[key] = task
            task.add_done_callback(lambda ended: self._forget_failed(key, ended))
        return asyncio.shield(task)

    def _forget_failed(self, key: tuple[str, bool], ended: asyncio.Task[Analyzed]) -> None:
        if (ended.cancelled() or ended.exception() is not None) and self._encoding.get(
            key
        ) is ended:
            del self._encoding[key]

    def _other_answer(self, prompt: Prompt, elsewhere: Elsewhere) -> OtherAnswer | None:
        """The model answer of another question an answer came nearest (`elsewhere`), measured
        as an answer to `prompt` (once per pair while the bank stays prepared; blocking). It is
        measured from its sentence vector alone: no token alignment, whose features then read
        their stand-in, the sentence similarity."""
        if elsewhere.prompt is None or not elsewhere.text:
            return None
        key = (prompt, elsewhere.text)
        found = self._others.get(key)
        if found is None:
            found = measure(
                prompt,
                self.store.vectors_for(prompt),
                AnswerText.of(elsewhere.text),
                self.store.vector(elsewhere.text),
                rarity=self.store.rarity(),
            )
            self._others[key] = found
        return OtherAnswer(elsewhere.prompt, found)

    async def aclose(self) -> None:
        """Stop the batch worker, and keep on file the prompts' texts first encoded here; the
        shared model stays loaded for others."""
        await self.batcher.aclose()
        await asyncio.to_thread(self.store.save)

    def _analyze(self, requests: Sequence[Request]) -> list[Analyzed]:
        """Batch body, run in a worker thread: morphology, then one encode for the unique texts,
        and one apart for the side texts and the clauses of the answers that name a key concept
        only in other words, if at all (`_spans_wanted`). Token vectors come only when a request
        in the batch wants them (reference-only prompts): bank prompts never read them, and
        collecting them slows each encode. With a remote model the encode only waits on the
        server, so the morphology runs meanwhile."""
        unique = list(dict.fromkeys(text for text, _, _, side in requests if not side))
        concepts = {text: wanted for text, _, wanted, _ in requests if wanted}
        rows: Sequence[Matrix | None]
        with ThreadPoolExecutor(max_workers=1) if self._overlap else nullcontext() as pool:
            morphology = pool.submit(_morphology, unique) if pool is not None else None
            texts = _morphology(unique) if morphology is None else []
            if not unique:
                vectors, rows = np.zeros((0, 0), dtype=np.float32), []
            elif any(wants for _, wants, _, _ in requests):
                vectors, rows = self.embedder.encode_with_tokens(unique)
            else:
                vectors, rows = self.embedder.encode(unique), [None] * len(unique)
            if morphology is not None:
                texts = morphology.result()
        cut = _cut(unique, texts, concepts)
        sides = [text for text, _, _, side in requests if side]
        held = self._side_vectors([*sides, *(t for _, words in cut.values() for t in words)])
        found = {
            text: AnswerSpans(places, words, _stack([held[w] for w in words]))
            for text, (places, words) in cut.items()
        }
        by_text = {
            text: Analyzed(vector, tokens, analyzed, found.get(text, NO_SPANS))
            for text, vector, tokens, analyzed in zip(unique, vectors, rows, texts, strict=True)
        }
        return [
            Analyzed(held[text], None, NO_TEXT) if side else by_text[text]
            for text, _, _, side in requests
        ]

    def _side_vectors(self, texts: Sequence[str]) -> dict[str, Matrix]:
        """The vectors of a batch's side texts and clauses: those held read, the rest encoded in
        one call, and all of them kept as the latest. Read into the batch's own dict first: a
        batch with more of them than the memory keeps (a content check grades every model
        answer at once) would otherwise lose its first ones before reading them."""
        wanted = list(dict.fromkeys(texts))
        held = self._side.held(wanted)
        new = [text for text in wanted if text not in held]
        if new:
            held.update(zip(new, self.embedder.encode(new), strict=True))
        self._side.update((text, held[text]) for text in wanted)
        return held


def _in_own_words(
    prompt: Prompt, matches: tuple[ConceptMatch, ...], written: str
) -> tuple[ConceptMatch, ...]:
    """Each match with its passage in the words the member wrote. A concept matched in the
    words read for a formula (`read_notation` appends them) is looked for again in the
    member's own words under its other forms ("learning rate" where the reading says 학습률); one
    named only in the words read shows no passage: it counts for the score, but is not shown as
    covered."""
    if all(m.within(len(written)) == m for m in matches):
        return matches
    own_text = AnswerText.of(written)
    by_id = {c.id: c for c in prompt.concepts}
    out = []
    for match in matches:
        kept = match.within(len(written))
        if not kept.passage and match.concept in by_id:
            kept = find_concept(by_id[match.concept], own_text) or kept
        out.append(kept)
    return tuple(out)


def _morphology(texts: Sequence[str]) -> list[AnswerText]:
    return [AnswerText.of(text) for text in texts]


def _spans_wanted(answer: AnswerText, concepts: tuple[Concept, ...]) -> bool:
    """Whether an answer's clauses are worth encoding: only when a key concept is not named in
    its own words, which the clauses may state in others."""
    return any(not concept_present(c, answer) for c in concepts)


def _cut(
    unique: Sequence[str], texts: Sequence[AnswerText], concepts: dict[str, tuple[Concept, ...]]
) -> dict[str, tuple[tuple[tuple[int, int], ...], tuple[str, ...]]]:
    """The clauses to encode of each text that wants them (`_spans_wanted`), by text."""
    cut = {}
    for text, analyzed in zip(unique, texts, strict=False):
        wanted = concepts.get(text, ())
        if wanted and _spans_wanted(analyzed, wanted):
            places, words = span_texts(analyzed)
            if words:
                cut[text] = (places, words)
    return cut


def _stack(rows: Sequence[Matrix]) -> Matrix:
    return np.stack(rows).astype(np.float32, copy=False)
