"""The numbers measured of one answer to one prompt that every feature is computed from
(`evaluators.signals.measure` takes them; `features.measurement.Measurement` carries them)."""

from __future__ import annotations

from dataclasses import dataclass

from evaluators.reading.claims import NO_CLAIMS, Claims


@dataclass(frozen=True)
class Measures:
    """Raw measurements of one answer to one prompt, the features' inputs. A value that could not
    be measured is None (no key concepts, no token vectors, no framed references, no sibling)."""

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
    other_sim: float = 0.0
    other_coverage: float = 0.0
    # Share of the nearest other question's model answer words (its question's words left out)
    # the answer holds: `other_coverage`'s stand-in when this prompt has no key concepts.
    other_lex_recall: float = 0.0
    # Best cosine with a model answer of a sibling (the main question or a follow-up of the same
    # thread); None without one. The sibling rule reads it.
    sibling_sim: float | None = None
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
