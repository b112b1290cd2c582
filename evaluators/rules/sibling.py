"""An answer to a sibling question (SIBLING): its main question, where it answers a follow-up, or
a follow-up of the same thread. Siblings share their key concepts and most of their words, so
the off-topic rule's test of substance cannot tell their answers apart; the model's similarity
can. The answer is capped at `SIBLING_CAP`, credited no concept and told which question it
answers, when it sits at least the fitted margin nearer a sibling's model answer than any of its
own prompt's (`sibling_margin`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.features.similarity import SIBLING_MARGIN
from evaluators.grade import Flag
from evaluators.rules.off_topic import OFF_TOPIC_CAP
from evaluators.rules.rule import Fired, Judge, Judged, fitted_section

SIBLING_CAP = OFF_TOPIC_CAP
"""An answer to a sibling question is an answer to another question, capped as one."""
SIBLING_RULE_VERSION = 1
"""Which sibling rule a calibration's margin was fitted under; another version is refitted."""


@dataclass(frozen=True)
class SiblingRule:
    """The margin lives on each model's own cosine scale and is fitted with the calibration
    (`fitting.siblings`): halfway between the largest such gap of any tuning answer people
    graded 3 of 5 or more and the smallest of the bank's model answers given on a sibling above
    it. `None`: nothing to fit (or a calibration from before the rule); it never fires."""

    margin: float | None = None

    def applies(self, features: Mapping[str, float]) -> bool:
        return self.margin is not None and features[SIBLING_MARGIN.name] >= self.margin

    @staticmethod
    def read(section: Mapping[str, Any] | None, path: Path) -> SiblingRule:
        """The margin in a calibration file's `siblings` section. A file from before the rule has
        none (the rule never fires) until `quizmaster eval fit` refits it; one fitted for
        another version is refitted."""
        siblings = fitted_section(
            section, version=SIBLING_RULE_VERSION, path=path, what="sibling margin", required=False
        )
        return SiblingRule(margin=siblings.get("margin"))

    def written(self) -> dict[str, Any]:
        return {"version": SIBLING_RULE_VERSION, "margin": self.margin}


class Sibling(Judge):
    flag = Flag.SIBLING
    cap = SIBLING_CAP
    withholds_credit = True
    version = SIBLING_RULE_VERSION
    fitted_in = "evaluators.fitting.siblings"

    def judge(self, judged: Judged) -> Fired | None:
        if not judged.fit(SiblingRule).applies(judged.measurement.features):
            return None
        sibling = judged.measurement.found.sibling
        return self.fired(words={"sibling": "" if sibling is None else sibling.text}, other=sibling)


RULE = Sibling()
