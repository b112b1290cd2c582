"""Answers that should not reach the calibrated model, each with a deliberate score: empty,
"I don't know", noise, a copy of the question, a copy of the revealed reference, a term on its
own, and over-long text (truncated, then graded)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from content.schema import Concept, Prompt
from evaluators.grade import Flag
from evaluators.reading.concepts import AnswerText, concept_matches, match_concepts
from evaluators.reading.morphology import compact, normalize, surface_words
from evaluators.reading.notation import looks_like_formula

MAX_ANSWER_CHARS = 4000
ONE_WORD_CAP = 40
"""One word to a prompt with model answers only (a team's): the grader cannot tell a term from a
terse answer there, and people grade a right word partly right (Mohler's dev half)."""
TERM_ALONE_CAP = 10
"""A term on its own to a prompt with key concepts names something and says nothing of it, so it
scores as an answer with no evidence does (`calibration.NO_EVIDENCE_CAP`) and is credited no
concept: a term is no concept."""
EXPLANATION_MIN_WORDS = 6
DONT_KNOW_MAX_WORDS = 6
DONT_KNOW_MAX_WORDS_WITHOUT_CONCEPT = 15
QUESTION_COPY_RATIO = 88.0
REFERENCE_COPY_RATIO = 85.0

# Korean stems matched without spaces; English phrases as whole words ("pass" alone, not "bypass").
_DONT_KNOW_KO = ("모르겠", "몰라", "모름", "모릅니다", "기억이안나", "기억안나", "생각이안나")
_DONT_KNOW_EN = re.compile(
    r"\b(?:(?:i\s+)?(?:don'?t|do\s+not|dont)\s+know|idk|no\s+idea|not\s+sure|no\s+clue|dunno)\b"
)
_PASS_ONLY = re.compile(r"^\W*(?:pass|skip|패스|스킵|넘어갈게요|넘길게요)\W*$")
_MASH = re.compile(r"asdf|qwer|zxcv|hjkl|jkl;|sdfg|wasd|uiop|fdsa", re.IGNORECASE)
_VOWELS = set("aeiouy")
# Words that restate a question without answering it.
_FILLER_WORDS = (
    "is are the a an what why how it this that do does 왜 무엇 뭘까 뭔가요 무엇인가요 무엇일까요"
)
_FILLER = frozenset(_FILLER_WORDS.split())


@dataclass(frozen=True)
class Screening:
    """The answer text to grade (maybe truncated) and what the guardrails decided.

    `final` set: the grade is `score` and nothing else runs. `cap`: grade normally, then cap."""

    text: str
    flags: tuple[Flag, ...] = ()
    final: bool = False
    score: int = 0
    cap: int | None = None


def _is_symbolic(ch: str) -> bool:
    return unicodedata.category(ch)[0] in {"S", "P"} or ord(ch) >= 0x1F000


def _is_jamo(ch: str) -> bool:
    """Bare consonants/vowels (ㅋ, ㅁ, ㅏ), in compatibility or conjoining form (NFKC maps the
    first to the second)."""
    return "\u3131" <= ch <= "\u318e" or "\u1100" <= ch <= "\u11ff"


def _real_words(text: str) -> list[str]:
    """Words that look like language: Hangul syllables, or Latin words with a vowel and no
    keyboard-mash run; digits count too (equations and sizes are legitimate)."""
    words = []
    for word in surface_words(text):
        if (
            re.fullmatch(r"[가-힣]+", word)
            or word.isdigit()
            or (
                re.fullmatch(r"[a-z0-9]+", word)
                and any(ch in _VOWELS for ch in word)
                and not _MASH.search(word)
                and not re.search(r"[^aeiouy0-9]{6,}", word)
            )
        ):
            words.append(word)
    return words


def is_noise(text: str) -> bool:
    """Emoji floods, jamo runs (ㅋㅋㅋ, ㅁㄴㅇㄹ), repeated characters, keyboard mash, random
        symbols: no real word and mostly symbols or jamo, or almost no real words at all. A
    formula or code (`x̂ = (x − μ) / √(σ² + ε)`) is mostly symbols too, and is an answer."""
    chars = [ch for ch in normalize(text) if not ch.isspace()]
    if not chars or looks_like_formula(text):
        return False
    real = _real_words(text)
    if len(set(chars)) <= 2 and len(chars) >= 4:
        return True
    symbolic = sum(1 for ch in chars if _is_symbolic(ch)) / len(chars)
    jamo = sum(1 for ch in chars if _is_jamo(ch)) / len(chars)
    if not real and (symbolic >= 0.4 or jamo >= 0.4):
        return True
    words = surface_words(text)
    return bool(words) and len(real) / len(words) < 0.3 and len(chars) >= 6


def is_dont_know(text: str, concepts: tuple[Concept, ...] = ()) -> bool:
    """An answer whose point is "I don't know": short, or a little longer but naming no key
    concept. An attempt that starts with a shrug and then says something is graded normally."""
    normalized = normalize(text).replace("’", "'")
    if _PASS_ONLY.match(normalized):
        return True
    key = compact(text)
    if not (any(stem in key for stem in _DONT_KNOW_KO) or _DONT_KNOW_EN.search(normalized)):
        return False
    words = len(surface_words(text))
    if words <= DONT_KNOW_MAX_WORDS:
        return True
    if not concepts or words > DONT_KNOW_MAX_WORDS_WITHOUT_CONCEPT:
        return False
    return not match_concepts(concepts, AnswerText.of(text))[0]


def _adds_nothing(answer: str, question: str) -> bool:
    """True when every word of the answer is already in the question (or a filler word)."""
    known = set(surface_words(question)) | _FILLER
    return all(word in known for word in surface_words(answer))


def _copies(answer: str, sources: list[str], ratio: float) -> bool:
    key = compact(answer)
    if len(key) < 4:
        return False
    for source in sources:
        other = compact(source)
        if not other:
            continue
        if fuzz.ratio(key, other) >= ratio:
            return True
        # Most of the source pasted on its own also counts; quoting it inside a longer answer
        # does not.
        if (
            0.6 * len(other) <= len(key) <= 1.2 * len(other)
            and fuzz.partial_ratio(key, other) >= 95
        ):
            return True
    return False


def _expects_explanation(prompt: Prompt) -> bool:
    """One word is not an explanation, unless the model answer itself is only a few words
    (external short-answer data: "push", "Through iteration.")."""
    return all(len(surface_words(r.text)) >= EXPLANATION_MIN_WORDS for r in prompt.references)


@lru_cache(maxsize=1024)
def _longest_wording(concepts: tuple[Concept, ...]) -> int:
    """The characters (letters and digits) of the longest wording of any of `concepts`: worked
    out once per prompt's concepts, not for every answer."""
    return max((len(compact(f)) for c in concepts for f in c.surface_forms()), default=0)


def _term_alone(prompt: Prompt, text: str) -> bool:
    """Whether the answer is one word, or one key concept's wording and nothing else ("vanishing
    gradient", "Vanishing gradient."): a name with no claim about it. A concept named inside a
    sentence is not alone, nor are two concepts named side by side."""
    if len(surface_words(text)) <= 1:
        return True
    if len(compact(text)) > _longest_wording(prompt.concepts):
        return False  # longer than any wording: more than a term, and no analysis spent on it
    answer = AnswerText.of(text)
    return any(
        m.spans and not answer.blanked(m.spans).replace("\0", "")
        for m in concept_matches(prompt.concepts, answer)
    )


def screen(prompt: Prompt, answer: str, *, revealed: bool) -> Screening:
    """Run every guardrail; the first decisive one wins, truncation and one-word only annotate."""
    text = answer.strip()
    flags: list[Flag] = []
    if len(text) > MAX_ANSWER_CHARS:
        text = text[:MAX_ANSWER_CHARS]
        flags.append(Flag.TRUNCATED)
    if not text:
        return Screening(text="", flags=(Flag.EMPTY,), final=True, score=0)
    if is_noise(text):
        return Screening(text=text, flags=(*flags, Flag.NOISE), final=True, score=0)
    if is_dont_know(text, prompt.concepts):
        return Screening(text=text, flags=(*flags, Flag.DONT_KNOW), final=True, score=0)
    questions = [prompt.text.ko, prompt.text.en, *prompt.aliases]
    if any(_adds_nothing(text, q) for q in questions) and _copies(
        text, questions, QUESTION_COPY_RATIO
    ):
        return Screening(text=text, flags=(*flags, Flag.COPY_OF_QUESTION), final=True, score=0)
    if revealed and _copies(text, [r.text for r in prompt.references], REFERENCE_COPY_RATIO):
        return Screening(text=text, flags=(*flags, Flag.COPY_OF_REFERENCE), final=True, score=0)
    if _expects_explanation(prompt) and _term_alone(prompt, text):
        cap = TERM_ALONE_CAP if prompt.concepts else ONE_WORD_CAP
        return Screening(text=text, flags=(*flags, Flag.ONE_WORD), cap=cap)
    return Screening(text=text, flags=tuple(flags))
