"""The prose beside a grade, in Korean or English: the team grade an answer is near, what the
rules that fired say (each rule's message under its flag), and what a full answer adds, every
sentence from the grader's catalogue (`evaluators/texts.yaml`); and the rules of telling
(`told_of`) that keep the concepts listed, the misconception named and the suggestion in
agreement with the score."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from content.schema import Lang, Prompt
from evaluators.grade import NON_ANSWER, Flag, Verdict
from evaluators.reading.concepts import AnswerText, ConceptMatch, concept_present
from evaluators.rules import Fired, rule_of
from evaluators.taught import Nudge
from evaluators.texts import GRADER

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")

_CREDITED = frozenset({Verdict.CORRECT, Verdict.MOSTLY_CORRECT, Verdict.PARTIAL})
_PRAISED = frozenset({Verdict.CORRECT, Verdict.MOSTLY_CORRECT})


@dataclass(frozen=True)
class Told:
    """What a member is told beside the score: the key concepts listed as covered, each with
    the passage of the answer that names it, those listed as missed, and the misconception the
    answer is said to be close to (None: no such note)."""

    covered: tuple[ConceptMatch, ...] = ()
    missed: tuple[str, ...] = ()
    misconception: str | None = None
    unsure: tuple[str, ...] = ()
    """Key concepts neither listed as covered nor surely missed: something in the answer comes
    near them, or it is credited with them on evidence not sure enough to tell (`doubted`), so
    the member is told neither."""
    doubted: tuple[str, ...] = ()
    """The unsure concepts the answer is credited with (`reading.sure_credit`): the advice does
    not ask for them either, since the answer may well state them."""

    @property
    def advised(self) -> tuple[str, ...]:
        """The concepts a full answer's advice may name: those neither listed as covered nor
        credited."""
        return (*self.missed, *(c for c in self.unsure if c not in self.doubted))

    @property
    def credited_ids(self) -> tuple[str, ...]:
        """The concepts the answer is credited with, told as covered or not."""
        return (*self.covered_ids, *self.doubted)

    @property
    def covered_ids(self) -> tuple[str, ...]:
        return tuple(m.concept for m in self.covered)


NOTHING_TOLD = Told()


def told_rules(fired: tuple[Fired, ...], *, score: int) -> tuple[Fired, ...]:
    """The rules that fired whose message the member reads, given the final `score`: each rule
    says whether it is told (`Rule.tells`)."""
    flags = frozenset(f.flag for f in fired)
    return tuple(f for f in fired if rule_of(f).tells(f, score=score, flags=flags))


def told_of(
    prompt: Prompt,
    *,
    score: int,
    verdict: Verdict,
    fired: tuple[Fired, ...],
    matches: tuple[ConceptMatch, ...],
    near: tuple[str, ...] = (),
    doubted: tuple[str, ...] = (),
) -> Told:
    """What feedback may say of a graded answer, by rules that keep it in agreement with the
    score (a member reads the score first, and a note that contradicts it teaches the wrong
    thing or makes the grade look arbitrary):

    - A concept is listed as covered only with its evidence, a passage of the answer that names
      it; a match that cannot point at one is not shown (it still counts for the score), nor is
      one whose evidence is not sure enough to tell (`doubted`, `reading.sure_credit`): it is
      unsure.
    - An answer graded `incorrect`, or one a rule withholds concept credit from (an answer to
      another question, a term alone, no evidence), lists no concept as covered: naming a term
      in a wrong or off-topic answer is not an achievement.
    - A key concept not listed as covered is listed as missed only when it is surely absent:
      nothing in the answer names it, says one of its words or comes near it by meaning
      (`near`, with the concepts matched but not credited); otherwise it is unsure, told
      neither way. A drafted concept (an importer drafted it from the model answer and no
      admin has reviewed it) is never listed as missed: a draft may give credit, but a member
      is never told to add an idea nobody has checked is one.
    - A misconception is named only where the answer states it (`Rule.tells`).
    - `compose` never praises full coverage below `mostly_correct`, and its suggested addition
      never names a concept listed as covered.

    `matches` are the concepts the answer names (`concepts.concept_matches`), `fired` the rules
    that fired on it."""
    credited = verdict in _CREDITED and not any(rule_of(f).withholds(f) for f in fired)
    shown = tuple(m for m in matches if m.passage) if credited else ()
    covered = tuple(m for m in shown if m.concept not in doubted)
    listed = {m.concept for m in covered}
    misconception = next(
        (
            str(f.words["misconception"])
            for f in told_rules(fired, score=score)
            if f.flag is Flag.MISCONCEPTION
        ),
        None,
    )
    nothing_said = any(f.flag in NON_ANSWER for f in fired)
    present = set() if nothing_said else {m.concept for m in matches} | set(near)
    open_ = [c for c in prompt.concepts if c.id not in listed and not c.drafted]
    return Told(
        covered=covered,
        missed=tuple(c.id for c in open_ if c.id not in present),
        misconception=misconception,
        unsure=tuple(c.id for c in open_ if c.id in present),
        doubted=tuple(m.concept for m in shown if m.concept in doubted),
    )


def team_note(team: Nudge, lang: Lang) -> str:
    """Why the team's grades moved the score: the grade of the team-graded answer nearest this
    one, so a member reads that the grade follows their team's, not the model's whim."""
    return GRADER.text(lang, "team_near", score=team.nearest.score)


def _best_sentence(prompt: Prompt, told: Told, lang: Lang) -> str:
    """The reference sentence (in `lang` when there is one) naming the most missed concepts and
    none listed as covered."""
    credited = set(told.credited_ids)
    best, best_hits = "", 0
    for sentence, named in _sentences_naming(prompt, lang):
        if named & credited:
            continue
        hits = sum(cid in named for cid in told.advised)
        if hits > best_hits:
            best, best_hits = sentence, hits
    return best


@lru_cache(maxsize=1024)
def _sentences_naming(prompt: Prompt, lang: Lang) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each sentence of the prompt's references (in `lang` when there is one) with the key
    concepts it names. The same for every answer, and read once per prompt: reading each sentence
    anew for each answer's advice took a sixth of the CPU of grading one."""
    references = prompt.references_in(lang) or prompt.references
    found = []
    for reference in references:
        for raw in _SENTENCE_END.split(reference.text):
            sentence = raw.strip()
            if sentence:
                text = AnswerText.of(sentence)
                named = frozenset(c.id for c in prompt.concepts if concept_present(c, text))
                found.append((sentence, named))
    return tuple(found)


def _model_answer(prompt: Prompt, lang: Lang) -> str:
    if not prompt.references:
        return ""
    reference = (prompt.references_in(lang) or prompt.references)[0]
    return GRADER.text(lang, "model_answer", text=reference.text)


def full_answer_note(prompt: Prompt, told: Told, verdict: Verdict, lang: Lang) -> str:
    """One sentence on what a full answer adds, built from the missed concepts and the reference;
    the model answer where there are no concepts, or where every concept is named in an answer
    graded below `mostly_correct`. Drafted concepts the answer does not name are not said to be
    missed, nor covered: with nothing missed, the note reads as for a prompt without concepts.
    Concepts credited on evidence not sure enough to tell (`Told.doubted`) are neither asked for
    nor praised: with nothing else to advise, a praised answer is told nothing more, another
    the model answer."""
    unnamed = any(c.id not in told.credited_ids for c in prompt.concepts)
    if not prompt.concepts or (unnamed and not told.advised):
        return "" if verdict is Verdict.CORRECT else _model_answer(prompt, lang)
    if not told.advised:
        if told.doubted:
            return "" if verdict in _PRAISED else _model_answer(prompt, lang)
        if verdict in _PRAISED:
            return GRADER.text(lang, "every_concept_covered")
        lead = GRADER.text(lang, "every_concept_named_short")
        return f"{lead} {_model_answer(prompt, lang)}".strip()
    sentence = _best_sentence(prompt, told, lang)
    if sentence:
        return GRADER.text(lang, "full_answer_adds", sentence=sentence)
    names = ", ".join(prompt.concept(cid).label(lang) for cid in told.advised)
    return GRADER.text(lang, "full_answer_explains", names=names)


def compose(
    prompt: Prompt,
    *,
    verdict: Verdict,
    score: int,
    told: Told,
    fired: tuple[Fired, ...],
    lang: Lang,
    team: Nudge | None = None,
) -> str:
    """The prose beside a grade: the team's graded answer that moved the score (`team`, given
    only when it did), what each rule that fired says (those told at `score`), and what a full
    answer adds, as `told` allows. Score, verdict and concept names are fields of the Grade,
    which the chat renders itself."""
    parts = [] if team is None else [team_note(team, lang)]
    parts += [rule_of(f).say(f, lang, question=prompt.text) for f in told_rules(fired, score=score)]
    graded = verdict not in {Verdict.NO_ANSWER, Verdict.ACKNOWLEDGED}
    if graded and (verdict is not Verdict.CORRECT or told.advised):
        note = full_answer_note(prompt, told, verdict, lang)
        if note:
            parts.append(note)
    return " ".join(parts)
