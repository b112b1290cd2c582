"""The evidence gate (NO_EVIDENCE): evidence before any score. An answer says something the
question asks by its meaning (its cosine with the nearest of the prompt's model answers) or by its
words (a content word of a model answer that the question does not give away, or a key concept
named). It scores at most `NO_EVIDENCE_CAP`, with no concept credited, when it holds no word at
all (digits, symbols, emoji); when it comes no nearer than `min_sim` whatever its words; or when
it shares no word and comes no nearer than `wordless_min_sim`. Cosines live on each model's own
scale, so both are fitted per model identity (`fitting.evidence_gate`). Greetings, chat, markup
and code sit as near a model answer as a terse right answer does (e5 reads every short text as
near every other), so meaning alone cannot shut them out without shutting out such answers; what
tells them apart is that the right one says the question's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.schema import Lang, Localized
from evaluators.grade import Flag
from evaluators.rules.rule import Fired, FittedPerHead, Judge, Judged
from evaluators.texts import GRADER

_CODE = re.compile(
    r"(?m)^\s*(?:def|class|import|from|return|for|while|if|print|const|let|var|function)\b.*"
    r"|[;{}]\s*$|==|=>|\w+\([^)]*\)\s*[:;{]|```"
)
"""Marks of code: a line opening with a keyword, a line ending in a brace or a semicolon, a
call opening a block, a fence."""


def looks_like_code(text: str) -> bool:
    """Whether a post reads as code: two of its marks, or a fence."""
    return "```" in text or len(_CODE.findall(text)) >= 2


NO_EVIDENCE_CAP = 10
EVIDENCE_GATE_VERSION = 2
"""Which evidence gate a calibration's thresholds were fitted under; another version is refitted."""


@dataclass(frozen=True)
class EvidenceGate(FittedPerHead):
    """The gate's thresholds for one head; `None`: no threshold helped (only an answer without
    a word is shut out). A calibration file from before the gate has none until `quizmaster eval
    fit` refits it; one fitted for another version is refitted."""

    version = EVIDENCE_GATE_VERSION
    what = "evidence gate"
    required = False

    min_sim: float | None = None
    wordless_min_sim: float | None = None

    def shuts(self, evidence_sim: float, answer: str, *, shares_words: bool = True) -> bool:
        return self.why_shut(evidence_sim, answer, shares_words=shares_words) is not None

    def why_shut(
        self, evidence_sim: float, answer: str, *, shares_words: bool = True
    ) -> str | None:
        """Why the gate shuts this answer out, in words (`grade --explain`); None: it does not."""
        if not any(char.isalpha() for char in answer):
            return "no word at all"
        if self.min_sim is not None and evidence_sim < self.min_sim:
            return (
                f"its nearest model answer is at cosine {evidence_sim:.3f}, "
                f"below {self.min_sim:.3f}"
            )
        if (
            not shares_words
            and self.wordless_min_sim is not None
            and evidence_sim < self.wordless_min_sim
        ):
            return (
                f"it says no word of a model answer or key concept, and its nearest model answer "
                f"is at cosine {evidence_sim:.3f}, below {self.wordless_min_sim:.3f}"
            )
        return None


class NoEvidence(Judge):
    flag = Flag.NO_EVIDENCE
    cap = NO_EVIDENCE_CAP
    withholds_credit = True
    version = EVIDENCE_GATE_VERSION
    fitted_in = "evaluators.fitting.evidence_gate"

    def judge(self, judged: Judged) -> Fired | None:
        measured = judged.measurement
        why = judged.fit(EvidenceGate).why_shut(
            measured.nearest, judged.text, shares_words=measured.shares_words
        )
        if why is None:
            return None
        return self.fired(words={"code": "yes"} if looks_like_code(judged.text) else {}, reason=why)

    @property
    def message_keys(self) -> tuple[str, ...]:
        return (self.message_key, f"{self.message_key}_code")

    def say(self, fired: Fired, lang: Lang, *, question: Localized) -> str:
        """Code shut out is named as code: "nothing here answers" reads as a wrong answer."""
        key = f"{self.message_key}_code" if "code" in fired.words else self.message_key
        return GRADER.text(lang, key, question=question.get(lang))

    def tells(self, fired: Fired, *, score: int, flags: frozenset[Flag]) -> bool:
        """A term alone is told what the question asks already; this note would repeat it."""
        return Flag.ONE_WORD not in flags


RULE = NoEvidence()
