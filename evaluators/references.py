"""Embeddings of every prompt text (questions, references, misconceptions), computed once per
model and text and kept on disk (`text_vectors`): a restart encodes only the texts no file holds,
so an unchanged bank encodes nothing and a new team question only its own texts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from content.bank import Bank
from content.schema import Prompt
from evaluators.bank_index import NO_BANK, BankIndex, Neighbours
from evaluators.embedding.vectors import EmbeddingModel, EmbeddingUnavailableError, Matrix
from evaluators.progress import Progress
from evaluators.reading.concept_meaning import phrasings
from evaluators.reading.morphology import bank_words
from evaluators.reading.rarity import BankRarity, WordRarity, analysis_key
from evaluators.text_vectors import Held, KeptVectors, ShippedVectors
from evaluators.vector_provenance import ENCODED, Writer, digest, writer_of
from evaluators.whole_files import one_maker_at_a_time

logger = logging.getLogger("quizmaster.evaluators")

Found = tuple[Matrix, bytes]
"""A text's row read from a file, and its origin (`ENCODED`, or the shipped file's id)."""


def prompt_texts(prompt: Prompt) -> list[str]:
    """Every text of a prompt the grader compares an answer with."""
    texts = [prompt.text.ko, prompt.text.en, *prompt.aliases]
    texts += [r.text for r in prompt.references]
    texts += [m.text for m in prompt.misconceptions]
    return list(dict.fromkeys(texts))


def concept_texts(prompt: Prompt) -> list[str]:
    """Every phrasing of the prompt's key concepts an answer's spans are compared with
    (`concept_meaning`). Encoded on the first answer to the prompt, not when a bank is
    prepared: the seed bank holds some 12,000 of them, most for questions no channel asks."""
    return list(dict.fromkeys(t for c in prompt.concepts for t in phrasings(c)))


def bank_texts(bank: Bank) -> list[str]:
    """Every text of the bank's prompts, each once: what preparing the bank encodes."""
    return list(dict.fromkeys(t for prompt in bank.all() for t in prompt_texts(prompt)))


def framed_references(prompt: Prompt) -> list[tuple[str, str]]:
    """(question, question and reference as one text) for each reference, the question in the
    reference's language. A reference alone is often a fragment ("At the main function.") whose
    embedding says little until it is read as the answer to its question; a right answer repeats
    the question's frame around the same content, so it sits nearer the framed reference than
    the question alone sits to it. Encoded once per prompt, for reference-only prompts only:
    bank prompts have key concepts to say what a reference is about."""
    framed = []
    for reference in prompt.references:
        question = prompt.text.ko if reference.lang == "ko" else prompt.text.en
        framed.append((question, f"{question} {reference.text}"))
    return framed


def _token_texts(prompt: Prompt) -> list[str]:
    """Texts whose token vectors the alignment signals read: the question, and each reference
    framed by it (`ReferenceStore.reference_tokens` keeps the reference's part)."""
    return list(
        dict.fromkeys(
            [prompt.text.en, prompt.text.ko, *(text for _, text in framed_references(prompt))]
        )
    )


def warm_morphology(bank: Bank) -> None:
    """Analyse every prompt text now (Kiwi morphemes, cached per process). Not part of a start,
    which it would slow, since a grade analyses its own prompt's few texts on first use anyway.
    Benchmarks call it so one-time analysis stays out of grading latency. Blocking."""
    for prompt in bank.all():
        for text in prompt_texts(prompt):
            bank_words(text)


@dataclass(frozen=True)
class PromptVectors:
    """A prompt's embeddings, one row per text (unit length)."""

    question: Matrix
    references: Matrix
    misconceptions: Matrix
    framed: Matrix
    """Each reference framed by its question (`framed_references`); no rows where they were not
    encoded (bank prompts)."""
    concepts: tuple[Matrix, ...] = ()
    """Each key concept's phrasings (`concept_meaning.phrasings`), in the prompt's order; no
    rows for a concept whose phrasings were not encoded yet."""


@dataclass
class _Memo:
    """Texts already encoded by one embedder, shared by every grader on it in this process."""

    vectors: dict[str, Matrix] = field(default_factory=dict)
    tokens: dict[str, Matrix] = field(default_factory=dict)
    origins: dict[str, bytes] = field(default_factory=dict)
    """Texts whose vector was copied from a shipped file: that file's id (others: encoded)."""
    writer: Writer | None = None
    """The embedder's key and probe vector, what its vector files are checked against."""
    unsaved: dict[str, Matrix] = field(default_factory=dict)
    """A prompt's texts encoded on its first answer (its concepts' phrasings, its framed
    references) that no cache dir's file holds yet: written there when a grader closes."""
    phrasings_read: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """The cache dir's files the bank's phrasings were looked up in, with the size and time of
    each as read: a file is read for them again only once another process has written it."""
    lock: threading.Lock = field(default_factory=threading.Lock)


_memos: dict[int, tuple[EmbeddingModel, _Memo]] = {}
_memos_lock = threading.Lock()


def _memo_for(embedder: EmbeddingModel) -> _Memo:
    with _memos_lock:
        entry = _memos.get(id(embedder))
        if entry is None:
            # Holding the embedder keeps its id from being reused by another object.
            entry = _memos[id(embedder)] = (embedder, _Memo())
        return entry[1]


STACKED_PROMPTS = 1024
"""Prompts whose stacked vectors are kept (`ReferenceStore.vectors_for`), the least recently
stacked going first: a team that edits its notes makes new prompts, and the old ones go."""


class ReferenceStore:
    """Text -> embedding for one model, filled from the files of `text_vectors` or by encoding.
    The in-memory part is shared per embedder, so the many graders of a test run encode each
    text once."""

    def __init__(
        self,
        embedder: EmbeddingModel,
        cache_dir: Path,
        *,
        shipped: ShippedVectors | None = None,
    ) -> None:
        self._embedder = embedder
        self._cache_dir = cache_dir
        self.kept = KeptVectors.in_cache(cache_dir, embedder.cache_key)
        self._shipped = shipped or ShippedVectors()
        memo = self._memo = _memo_for(embedder)
        self._vectors = memo.vectors
        self._origins = memo.origins
        self._tokens = memo.tokens
        self._lock = memo.lock
        self._stacked: dict[Prompt, tuple[int, PromptVectors]] = {}
        self.cache_hits = 0
        self.cache_misses = 0
        self.index = NO_BANK
        self._rarity = BankRarity()

    def rarity_path(self, bank: Bank) -> Path:
        """Where the bank's word rarity counts are kept (any model reads the same words)."""
        return self._cache_dir / "rarity" / f"{bank.content_hash()}-{analysis_key()}.json"

    def load_bank(self, bank: Bank) -> bool:
        """Fill the store for every prompt of `bank`; True when nothing had to be encoded.
        Blocking: call it from a worker thread."""
        self._rarity.use([prompt_texts(p) for p in bank.all()], self.rarity_path(bank))
        encoded = self._fill(bank_texts(bank))
        self._phrasings_on_file(bank)
        self._index_references(bank)
        with self._lock:
            if encoded:
                self.cache_misses += 1
            else:
                self.cache_hits += 1
        return not encoded

    def _fill(self, texts: list[str]) -> int:
        """Every one of `texts` in memory: from memory, the cache dir's file, the shipped file
        (only asked when the cache dir's lacks some), else encoded; how many were encoded. Both
        files are checked first (`vector_provenance`), and the cache dir's file is rewritten when
        it lacked any text. Texts no file holds are encoded by one process at a time: a process
        that waited reads the file again, and encodes only what the other one did not."""
        missing = [t for t in texts if t not in self._vectors]
        if not missing:
            return 0
        try:
            writer = self._writer()
        except EmbeddingUnavailableError as down:
            self._fill_unprobed(missing, down)
            return 0
        kept, found = self._on_file(missing, writer)
        if len(found) == len(missing):
            return self._keep(texts, writer, kept, found)
        with one_maker_at_a_time(self.kept.path):
            kept, found = self._on_file(missing, writer)
            return self._keep(texts, writer, kept, found)

    def _on_file(self, missing: list[str], writer: Writer) -> tuple[Held, dict[str, Found]]:
        """The cache dir's file, and those of `missing` it or the shipped file holds."""
        kept = self._without_stale_copies(self.kept.read(writer))
        found = {
            t: (kept.rows[key], kept.origins.get(key, ENCODED))
            for t in missing
            if (key := digest(t)) in kept.rows
        }
        if len(found) < len(missing):
            shipped = self._shipped.matching(self._embedder.name, writer)
            for text in missing:
                key = digest(text)
                if text not in found and key in shipped.rows:
                    found[text] = (shipped.rows[key], shipped.origins[key])
        return kept, found

    def _keep(self, texts: list[str], writer: Writer, kept: Held, found: dict[str, Found]) -> int:
        """The texts not in memory yet from `found`, the others encoded; the cache dir's file
        rewritten when it lacked any of them; how many were encoded."""
        missing = [t for t in texts if t not in self._vectors]
        if found:
            self.put(list(found), np.stack([row for row, _ in found.values()]))
            with self._lock:
                self._origins.update({t: origin for t, (_, origin) in found.items()})
        unknown = [t for t in missing if t not in found]
        if unknown:
            self.put(unknown, self.encode_with_progress(unknown))
        if any(digest(t) not in kept.rows for t in missing):
            current = Held(
                {digest(t): self._vectors[t] for t in texts},
                {digest(t): self._origins.get(t, ENCODED) for t in texts},
            )
            self.kept.write(writer, current, kept)
        return len(unknown)

    def _phrasings_on_file(self, bank: Bank) -> None:
        """The bank's concept phrasings and framed references the cache dir's file holds, into
        memory (nothing is encoded: they are encoded on their prompt's first answer, and kept on
        file when the grader closes, `save`). A restart, a replica or another test process then
        grades a question's first answer without encoding its phrasings again: 50-100 texts a
        question. The file is read for them again only when it changed since (about 0.05 s of
        CPU for 7,000 rows)."""
        try:
            stat = self.kept.path.stat()
        except OSError:
            return
        with self._lock:
            if self._memo.phrasings_read.get(self.kept.path) == (stat.st_size, stat.st_mtime_ns):
                return
            self._memo.phrasings_read[self.kept.path] = (stat.st_size, stat.st_mtime_ns)
            wanted = list(
                dict.fromkeys(
                    t
                    for p in bank.all()
                    for t in [*concept_texts(p), *(framed for _, framed in framed_references(p))]
                    if t not in self._vectors
                )
            )
        if not wanted:
            return
        try:
            kept = self._without_stale_copies(self.kept.read(self._writer()))
        except EmbeddingUnavailableError:
            return
        found = [(t, kept.rows[key]) for t in wanted if (key := digest(t)) in kept.rows]
        if found:
            self.put([t for t, _ in found], np.stack([row for _, row in found]))

    def save(self) -> None:
        """The prompts' texts encoded on their first answers (`put(..., keep=True)`) into the
        cache dir's file, after the rows it holds (`MAX_KEPT_ROWS` in all). Blocking, and never
        raises: a file that cannot be written costs an encode after the next start."""
        with self._lock:
            unsaved = dict(self._memo.unsaved)
        if not unsaved:
            return
        try:
            writer = self._writer()
        except EmbeddingUnavailableError:
            return
        with one_maker_at_a_time(self.kept.path):
            kept = self._without_stale_copies(self.kept.read(writer))
            new = {key: row for t, row in unsaved.items() if (key := digest(t)) not in kept.rows}
            if new:
                self.kept.write(writer, kept, Held(new, dict.fromkeys(new, ENCODED)))
        with self._lock:
            for text in unsaved:
                self._memo.unsaved.pop(text, None)

    def _fill_unprobed(self, missing: list[str], down: EmbeddingUnavailableError) -> None:
        """With the model unable to encode its probe now (a server that is down), the cache dir's
        file answers alone, checked against the probe it records, as a start before the check
        did: the bank's references, and the rules comparing an answer with them, are ready when
        the server is back. A text it lacks waits for the server (`down` is raised)."""
        held = self.kept.read_unprobed(self._embedder.cache_key)
        if any(digest(t) not in held.rows for t in missing):
            raise down
        self.put(missing, np.stack([held.rows[digest(t)] for t in missing]))

    def kept_problem(self) -> str | None:
        """Why the cache dir's file for this model would be set aside at the next start, None
        when it passes or is not written yet. Blocking (one encode of the probe text)."""
        return self.kept.problem(self._writer())

    def _writer(self) -> Writer:
        """The embedder's key and probe vector, encoded once per embedder."""
        if self._memo.writer is None:
            self._memo.writer = writer_of(self._embedder)
        return self._memo.writer

    def _without_stale_copies(self, kept: Held) -> Held:
        """`kept` less the rows copied from a shipped file that is no longer the one shipped: a
        repaired or updated file is read again, never outlived by what was copied from it."""
        copied = {origin for origin in kept.origins.values() if origin != ENCODED}
        if not copied:
            return kept
        current = self._shipped.current_id(self._embedder.name)
        stale = {key for key, origin in kept.origins.items() if origin not in (ENCODED, current)}
        if stale:
            logger.info("%d kept vectors came from another shipped file; read again", len(stale))
        return Held(
            {key: row for key, row in kept.rows.items() if key not in stale},
            {key: origin for key, origin in kept.origins.items() if key not in stale},
        )

    def encode_with_progress(self, texts: list[str]) -> Matrix:
        """`encode(texts)` one forward pass at a time, reporting each. Longest texts first, as
        the model orders a single call itself: the batches, and so the vectors, are the same."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        rows = np.zeros((len(texts), self._embedder.dimension), dtype=np.float32)
        step = self._embedder.batch_size
        with Progress("embedding the question bank", len(texts)) as progress:
            for start in range(0, len(order), step):
                part = order[start : start + step]
                rows[part] = self._embedder.encode([texts[i] for i in part])
                progress.advance(len(part))
        return rows

    def encode_tokens(self, prompts: Iterable[Prompt]) -> None:
        """Token vectors (with the sentence vectors of the same pass) of every question and
        reference of `prompts` still lacking them, in a few batches. The calibration fit measures
        hundreds of answers to reference-only prompts at once: asked one answer at a time, each
        prompt's texts would be encoded again for every answer in flight before the first
        returned. Blocking: call it from a worker thread."""
        texts = list(
            dict.fromkeys(t for p in prompts for t in _token_texts(p) if t not in self._tokens)
        )
        step = self._embedder.batch_size
        for start in range(0, len(texts), step):
            part = texts[start : start + step]
            vectors, tokens = self._embedder.encode_with_tokens(part)
            self.put(part, vectors, tokens)

    def _index_references(self, bank: Bank) -> None:
        """Every reference of the bank beside the question family it answers (`BankIndex`)."""
        self.index = BankIndex.of(bank, self._vectors)

    def neighbours(self, prompt: Prompt, vector: Matrix) -> Neighbours:
        """The model answers of the rest of the prepared bank `vector` comes nearest
        (`BankIndex.neighbours`)."""
        return self.index.neighbours(prompt, vector, self._vectors)

    def rarity(self) -> WordRarity:
        """How rare each word is in the prepared bank (every word alike before one is prepared,
        even if its embeddings could not be computed). Blocking: Kiwi on first use."""
        return self._rarity.get()

    def missing(self, prompt: Prompt, *, framed: bool = False, tokens: bool = False) -> list[str]:
        """Texts of `prompt` still to encode, its concepts' phrasings among them (with `framed`:
        also its framed references; with
        `tokens`: also the texts lacking the token vectors the alignment reads)."""
        need = [
            t for t in [*prompt_texts(prompt), *concept_texts(prompt)] if t not in self._vectors
        ]
        if framed:
            need += [t for _, t in framed_references(prompt) if t not in self._vectors]
        if tokens:
            need += [t for t in _token_texts(prompt) if t not in self._tokens]
        return list(dict.fromkeys(need))

    def put(
        self,
        texts: Sequence[str],
        matrix: Matrix,
        tokens: Sequence[Matrix] | None = None,
        *,
        keep: bool = False,
    ) -> None:
        """`texts`' rows into memory; with `keep` (a prompt's texts encoded on its first
        answer) also into the cache dir's file at the next `save`."""
        with self._lock:
            for text, row in zip(texts, matrix, strict=True):
                self._vectors[text] = row
                self._origins.pop(text, None)
                if keep:
                    self._memo.unsaved[text] = row
            for text, rows in zip(texts, tokens or (), strict=False):
                self._tokens[text] = rows

    def reference_tokens(self, prompt: Prompt) -> tuple[Matrix, ...]:
        """Token vectors of the prompt's references read in their question's context: the tokens
        of each framed reference after those of its question (kept only for prompts that asked
        for them: reference-only prompts). Encoded alone, a short reference's tokens take their
        meaning from a fragment; framed, "main" in "At the main function." is the entry point of
        the program the question asks about. A framed text cut at the model's input limit keeps
        the reference's first tokens only, as the reference alone would be cut."""
        rows = []
        for question, text in framed_references(prompt):
            if text in self._tokens and question in self._tokens:
                rows.append(self._tokens[text][len(self._tokens[question]) :])
        return tuple(rows)

    def question_tokens(self, prompt: Prompt) -> Matrix | None:
        """Token vectors of the question (both wordings stacked), when they were kept."""
        rows = [
            self._tokens[t]
            for t in dict.fromkeys([prompt.text.en, prompt.text.ko])
            if t in self._tokens
        ]
        return np.concatenate(rows) if rows else None

    def vector(self, text: str) -> Matrix:
        """The embedding of one text already encoded (a KeyError otherwise)."""
        return self._vectors[text]

    def vectors_for(self, prompt: Prompt) -> PromptVectors:
        """The prompt's vectors, stacked once and kept until a text is added to the store (its
        concepts' phrasings encoded on its first answer): every answer reads them three times."""
        count = len(self._vectors)
        held = self._stacked.get(prompt)
        if held is not None and held[0] == count:
            return held[1]
        vectors = self._stacked_for(prompt)
        self._stacked.pop(prompt, None)
        self._stacked[prompt] = (count, vectors)
        if len(self._stacked) > STACKED_PROMPTS:
            del self._stacked[next(iter(self._stacked))]
        return vectors

    def _stacked_for(self, prompt: Prompt) -> PromptVectors:
        return PromptVectors(
            question=self._stack([prompt.text.ko, prompt.text.en, *prompt.aliases]),
            references=self._stack(r.text for r in prompt.references),
            misconceptions=self._stack(m.text for m in prompt.misconceptions),
            framed=self._stack(t for _, t in framed_references(prompt) if t in self._vectors),
            concepts=tuple(
                self._stack(t for t in phrasings(c) if t in self._vectors) for c in prompt.concepts
            ),
        )

    def _stack(self, texts: Iterable[str]) -> Matrix:
        rows = [self._vectors[t] for t in dict.fromkeys(texts)]
        if not rows:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack(rows).astype(np.float32, copy=False)
