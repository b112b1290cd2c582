"""Which key concepts an answer is credited with that the grader is sure enough of to tell the
member "covered" (issue 82: a statement the grader cannot support at 0.95 held-out precision is
not made). The rest stay credited where they were (the score and the rules read them as before)
but are told neither way: the member reads them in no list, and `--json` lists them as unsure.

Read on the truth set's open half (`quizmaster eval truth`), the false "covered" claims came
from three kinds of evidence, and each is held back here:

- one word alone, found by its lemma or a near spelling ("줄지 않" read in 줄어요, "top-p" in
  "Top", "3 values" in "t values"): one lemma says a word was used, not what the answer says of
  it, unless another of the concept's forms is written out in the answer. A form written out
  as it is (`wording`, `word`: "momentum", "TN") is kept unless it has no content word at all
  (뾰족);
- a meaning match below `SURE_MEANING` in the answer's language: the credit rule's threshold
  was fitted for F1, not for what a member is told;
- evidence on the other side of a pair the model answers draw (`roles.misplaced`): the words of
  "forward KL은 mode-covering" said, "covering" of reverse KL (a clause that denies what it
  says places nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from content.schema import Concept, Lang, Prompt
from evaluators.reading.concepts import AnswerText, ConceptMatch, written_out
from evaluators.reading.morphology import bank_words
from evaluators.reading.roles import misplaced

SURE_MEANING: dict[Lang, float] = {"ko": 0.93, "en": 0.90}
"""The least cosine of a meaning match's span with the concept's phrasing for it to be told as
covered, per language. Set on the truth set's open half: the false meaning credits there sat at
0.925 and 0.898 (Korean) and 0.886 (English), the true ones from 0.887 up; each bound clears
its language's highest false one, by 0.005 in Korean and 0.014 in English."""


def _content_words(form: str) -> int:
    """How many lemmas of a concept's form hold a letter: a number is no word ("1" of
    "gradient of 1", "0" of "정확히 0이 되지는 않")."""
    return sum(any(ch.isalpha() for ch in lemma) for lemma in bank_words(form))


def sure(match: ConceptMatch, concept: Concept, answer: AnswerText, lang: Lang) -> bool:
    """Whether a match's own evidence is precise enough to tell: see the module's rules. A
    one-word lemma match is sure where another form of the concept is written out in the
    answer ("saturation" read in "saturates" by its lemma, where "saturates" is a synonym)."""
    if match.how == "meaning":
        return match.closeness is not None and match.closeness >= SURE_MEANING[lang]
    words = _content_words(match.form)
    if match.how in ("lemmas", "spelling"):
        return words >= 2 or written_out(concept, answer)
    return match.how == "word" or words >= 1


def doubted(
    prompt: Prompt, answer: AnswerText, matches: Sequence[ConceptMatch], *, lang: Lang
) -> tuple[str, ...]:
    """The concepts of `prompt` credited in `matches` that the grader is not sure the answer
    states, in their order: evidence not precise enough (`sure`), or said of the other side of a
    pair its model answers draw."""
    aside = misplaced(
        prompt.concepts,
        [r.text for r in prompt.references],
        answer.text,
        matches,
        [t for t in (prompt.text.ko, prompt.text.en) if t],
    )
    return tuple(
        m.concept
        for m in matches
        if m.concept in aside or not sure(m, prompt.concept(m.concept), answer, lang)
    )
