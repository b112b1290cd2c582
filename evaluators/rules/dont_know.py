""" "I don't know" scores 0 and is told what the question asks and where to start (a hint); it is
sent to the model answer only where the member can read it (the model answer was revealed)."""

from __future__ import annotations

import re

from content.schema import Concept, Lang, Localized, Prompt
from evaluators.grade import Flag
from evaluators.reading.concepts import AnswerText, match_concepts
from evaluators.reading.morphology import compact, normalize, surface_words
from evaluators.rules.rule import Fired, Screen
from evaluators.texts import GRADER

DONT_KNOW_MAX_WORDS = 6
DONT_KNOW_MAX_WORDS_WITHOUT_CONCEPT = 15

# Korean stems matched without spaces; English phrases as whole words ("pass" alone, not "bypass").
_DONT_KNOW_KO = (
    "모르겠",
    "몰라",
    "모름",
    "모릅니다",
    "기억이안나",
    "기억안나",
    "생각이안나",
    "글쎄",
    "감이안",
    "다음에답",
    "나중에답",
    "공부하고다시",
    "공부하고올",
    "공부해서다시",
    "공부해올",
    "질문이어려",
    "질문이너무어려",
    "답알려",
    "정답알려",
    "정답이뭔",
    "정답이뭐",
)
_DONT_KNOW_EN = re.compile(
    r"\b(?:(?:i\s+)?(?:don'?t|do\s+not|dont)\s+know|idk|no\s+idea|not\s+sure|no\s+clue|dunno"
    r"|give\s+up|come\s+back\s+(?:to\s+(?:it|this)\s+)?later|tell\s+me\s+the\s+answer"
    r"|what(?:'s|\s+is)\s+the\s+answer)\b"
)
_PASS_ONLY = re.compile(
    r"^\W*(?:pass|skip|패스|스킵|넘어갈게요|넘길게요)"
    r"(?:할게요|할게|합니다|요|\s+(?:for\s+now|this\s+one))?\W*$"
)


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


class DontKnow(Screen):
    flag = Flag.DONT_KNOW
    decides = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        if not is_dont_know(text, prompt.concepts):
            return None
        return self.fired(words={"revealed": "yes"} if revealed else {})

    @property
    def message_keys(self) -> tuple[str, ...]:
        return (self.message_key, f"{self.message_key}_revealed")

    def say(self, fired: Fired, lang: Lang, *, question: Localized) -> str:
        key = f"{self.message_key}_revealed" if "revealed" in fired.words else self.message_key
        return GRADER.text(lang, key, question=question.get(lang))


RULE = DontKnow()
