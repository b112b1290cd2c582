"""The raw measurements of one answer to one prompt, which every feature is computed from
(`evaluators.signals.measure` takes them)."""

from __future__ import annotations

from dataclasses import dataclass

from content.schema import Lang, Prompt
from evaluators.reading.claims import NO_CLAIMS, Claims
from evaluators.reading.concepts import ConceptMatch

MISCONCEPTION_MIN_OVERLAP = 0.3


@dataclass(frozen=True)
class Signals:
    """Raw measurements of one answer to one prompt. A value that could not be measured is None
    (no key concepts, no token vectors, no framed references)."""

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
    # Whether the answer says a word of a model answer, one with a letter, that the question does
    # not give away (`signals._says_a_word`); the evidence gate reads it, no feature does.
    says_words: bool
    lang: Lang
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    other_sim: float = 0.0
    other_coverage: float = 0.0
    # Share of the nearest other question's model answer words (its question's words left out)
    # the answer holds: `other_coverage`'s stand-in when this prompt has no key concepts.
    other_lex_recall: float = 0.0
    # Best cosine with a model answer of a sibling (the main question or a follow-up of the same
    # thread), and that sibling; 0 and None without one. The sibling rule reads them.
    sibling_sim: float = 0.0
    sibling: Prompt | None = None
    claims: Claims = NO_CLAIMS
    new_coverage: float | None = None
    # Whether the prompt is a follow-up, answered in its main question's thread: its answers
    # leave out what that thread has settled. A property of the bank, known for a team's prompt.
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
    # Where the answer names each key concept of `covered` (what feedback shows); no feature.
    matches: tuple[ConceptMatch, ...] = ()
    # The misconception (its index in the prompt's) whose words the answer shares most, the one
    # `mis_overlap` measures; None without misconceptions. Feedback names it; no feature.
    echoed: int | None = None

    @property
    def echoes_misconception(self) -> bool:
        """The answer says what a known misconception says: it shares more of the misconception's
        own words than of any reference's, and is at least as close to it in embedding space."""
        return (
            self.mis_overlap >= MISCONCEPTION_MIN_OVERLAP
            and self.mis_overlap > self.lex_recall
            and self.mis_sim >= self.ref_sim
        )
