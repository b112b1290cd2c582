"""An answer that gives the key concepts of one side of the question's pair to the other (L2
"gives exact zeros and selects features", the encoder "generates tokens one by one"): read
concept by concept, or by the words the model answers say of each side (`reading.roles`),
capped as wrong, credited none of the concepts, and told which two sides it swapped, in its
language."""

from __future__ import annotations

from content.schema import Lang, Localized
from evaluators.grade import Flag
from evaluators.reading.roles import swapped
from evaluators.rules.rule import Fired, Judge, Judged
from evaluators.texts import GRADER

SWAPPED_CAP = 30
"""The most an answer that swaps two roles may score: graded as wrong (below `partial`)."""


class SwappedRoles(Judge):
    flag = Flag.SWAPPED
    cap = SWAPPED_CAP
    withholds_credit = True

    def judge(self, judged: Judged) -> Fired | None:
        prompt = judged.prompt
        swap = swapped(
            prompt.concepts,
            [r.text for r in prompt.references],
            judged.text,
            judged.measurement.found.matches,
            [t for t in (prompt.text.ko, prompt.text.en) if t],
        )
        if swap is None:
            return None
        ko, en = swap.roles.names("ko"), swap.roles.names("en")
        return self.fired(
            words={
                "first": Localized(ko=ko[0], en=en[0]),
                "second": Localized(ko=ko[1], en=en[1]),
            },
            reason=f"{', '.join(swap.concepts) or 'the words of each side'} given to the other "
            f"side of {en[0]} / {en[1]} ({swap.agreeing} on their own side)",
        )

    def say(self, fired: Fired, lang: Lang, *, question: Localized) -> str:
        first, second = fired.words["first"], fired.words["second"]
        assert isinstance(first, Localized) and isinstance(second, Localized)
        return GRADER.text(lang, self.message_key, first=first.get(lang), second=second.get(lang))


RULE = SwappedRoles()
