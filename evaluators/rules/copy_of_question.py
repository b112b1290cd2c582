"""A copy of the question scores 0: every word of it is the question's (or a filler word), and it
matches the question's wording in either language or an alias."""

from __future__ import annotations

from content.schema import Prompt
from evaluators.grade import Flag
from evaluators.reading.copies import copies
from evaluators.reading.morphology import surface_words
from evaluators.rules.rule import Fired, Screen

QUESTION_COPY_RATIO = 88.0
# Words that restate a question without answering it.
_FILLER_WORDS = (
    "is are the a an what why how it this that do does 왜 무엇 뭘까 뭔가요 무엇인가요 무엇일까요"
)
_FILLER = frozenset(_FILLER_WORDS.split())


def _adds_nothing(answer: str, question: str) -> bool:
    """True when every word of the answer is already in the question (or a filler word)."""
    known = set(surface_words(question)) | _FILLER
    return all(word in known for word in surface_words(answer))


class CopyOfQuestion(Screen):
    flag = Flag.COPY_OF_QUESTION
    decides = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        questions = [prompt.text.ko, prompt.text.en, *prompt.aliases]
        if any(_adds_nothing(text, q) for q in questions) and copies(
            text, questions, QUESTION_COPY_RATIO
        ):
            return self.fired()
        return None


RULE = CopyOfQuestion()
