"""An answer to another question of the bank (OFF_TOPIC) is capped at `OFF_TOPIC_CAP`, credited
no concept and told to re-read the question: it sits at least `gap` closer to another question's
model answer than to its own question's model answer or wording (`off_margin`), matches that one
at `min_sim` or more, and what it carries points there too (`names_another_question`). Cosines
live on each model's own scale (e5 packs them near 0.8, MiniLM spreads them), so both numbers
are fitted with the calibration, one rule per head (`fitting.off_topic`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from content.schema import Prompt
from evaluators.features.concepts import COVERAGE, OTHER_COVERAGE
from evaluators.features.lexical import LEX_RECALL, OTHER_LEX_RECALL
from evaluators.features.similarity import OFF_MARGIN, OTHER_SIM
from evaluators.grade import MOSTLY_CORRECT_FLOOR, Flag
from evaluators.reading.concepts import AnswerText, concept_present, match_concepts
from evaluators.reading.notation import mostly_notation
from evaluators.rules.rule import Fired, FittedPerHead, Judge, Judged

OFF_TOPIC_CAP = 15
RIGHT_HERE = MOSTLY_CORRECT_FLOOR
"""Another question's model answer graded this high here is a right answer here too: the bot's
verdict calls it mostly correct or better."""
ANSWERS_HERE = 0.5
"""An answer naming this share of its question's key concepts or more answers this question,
whatever other question it also comes near: "another question" is not said of it. A near-twin
of a seed question in a subject bank ("딥러닝할 때 GPU를 쓰면 좋은 이유는?" beside "GPU가 신경망
학습을 CPU보다 크게 빠르게 만드는 이유는?") draws right answers nearer the twin's model answer
than its own, and naming half the concepts here is not a thing the grader is unsure of."""
OFF_TOPIC_RULE_VERSION = 5
"""Which off-topic rule a calibration's thresholds were fitted under. Version 1 asked for none
of the prompt's key concepts; version 2 also for a larger share of the other question's; version 3
reads a prompt without key concepts by the words of each model answer instead of taking every
answer to it as naming another question, and measures the gap from the nearer of the prompt's
model answer and its wording; version 4 fits one rule per head, each on answers of its own kind;
version 5, in a prompt without key concepts, leaves out another question whose model answer the
head calls right here.
Thresholds fitted under another version are refitted."""


def concepts_reviewed(prompt: Prompt) -> bool:
    """Whether an admin (or the bank's author) stands behind every key concept: none is still
    marked as drafted from the model answer."""
    return not any(concept.drafted for concept in prompt.concepts)


def concepts_named(prompt: Prompt, covered: tuple[str, ...]) -> int | None:
    """How many of the prompt's key concepts an answer named; None when it has none to name
    (the rule then reads the model answer's words)."""
    return len(covered) if prompt.concepts else None


@lru_cache(maxsize=1024)
def asked_here(prompt: Prompt, other: Prompt) -> frozenset[str]:
    """The key concepts of `other` that `prompt` asks too: one of its own, or one named in the
    wordings of its own. Twin questions share them ("Speculative decoding은 어떻게 동작하고…"
    and "…어떻게 LLM 추론을 빠르게 하나요?" both ask for the draft model and its check "in one
    parallel pass"). What a model answer only mentions is not asked: "momentum" said beside
    RMSprop does not make a question on RMSprop ask for momentum."""
    own = {concept.id for concept in prompt.concepts}
    forms = AnswerText.of("\n".join(f for c in prompt.concepts for f in c.surface_forms()))
    return frozenset(
        concept.id
        for concept in other.concepts
        if concept.id in own or concept_present(concept, forms)
    )


def names_only_there(prompt: Prompt, other: Prompt, answer: str) -> bool:
    """Whether `answer` names a key concept of `other` that `prompt` does not ask (`asked_here`):
    what shows it answers the other question and not this one. Naming only what both ask, an
    answer nearer the other's model answer answers both."""
    named = match_concepts(other.concepts, AnswerText.of(answer))[0]
    return bool(set(named) - asked_here(prompt, other))


@dataclass(frozen=True)
class OffTopicRule(FittedPerHead):
    """The rule's fitted thresholds for one head; `None` means the fit found no setting that
    helped, and the rule never fires. Thresholds fitted for another version of the rule are
    refused (the calibration is refitted)."""

    version = OFF_TOPIC_RULE_VERSION
    what = "off-topic thresholds"
    required = True

    gap: float | None = None
    min_sim: float | None = None

    @staticmethod
    def names_another_question(
        features: Mapping[str, float],
        covered: int | None,
        *,
        reviewed: bool,
        other_answer_grade: int | None = None,
    ) -> bool:
        """The answer carries more of the other question's substance than of its own. With key
        concepts (`covered` of them named): none of this prompt's, or a larger share of the other
        question's than of this one's; words shared across the bank ("gradient", "learning rate")
        are a key concept of many prompts, and one named in passing does not make an answer to
        another question an answer to this one. Without key concepts (`covered` None, a team's
        bank): a larger share of the other model answer's words than of this one's, where that
        model answer is not a right answer here (`other_answer_grade`, what the head gives it
        here, under `RIGHT_HERE`). In a bank of related questions every answer sits near a
        sibling's model answer, so nearness alone never says an answer is off topic; what it
        carries of its own model answer does, unless the sibling's model answer says the same
        thing in other words ("not connected", "separated by a gap"): an answer in those words
        answers both questions. Key concepts drafted from the model answer and not yet
        `reviewed` are weaker evidence: drafted from prose, they are often everyday words a
        right answer need not say, so the answer's words must point to the other question too."""
        by_concepts = covered == 0 or features[OTHER_COVERAGE.name] > features[COVERAGE.name]
        if covered is None:
            return by_concepts and (other_answer_grade is None or other_answer_grade < RIGHT_HERE)
        if reviewed:
            return by_concepts
        return by_concepts and features[OTHER_LEX_RECALL.name] > features[LEX_RECALL.name]

    def applies(
        self,
        features: Mapping[str, float],
        covered: int | None,
        *,
        reviewed: bool,
        other_answer_grade: int | None = None,
    ) -> bool:
        if self.gap is None or self.min_sim is None:
            return False
        return (
            self.names_another_question(
                features, covered, reviewed=reviewed, other_answer_grade=other_answer_grade
            )
            and features[OFF_MARGIN.name] >= self.gap
            and features[OTHER_SIM.name] >= self.min_sim
        )


class OffTopic(Judge):
    flag = Flag.OFF_TOPIC
    cap = OFF_TOPIC_CAP
    withholds_credit = True
    version = OFF_TOPIC_RULE_VERSION
    fitted_in = "evaluators.fitting.off_topic"

    def judge(self, judged: Judged) -> Fired | None:
        """Where the sibling rule fired, it names the question the answer answers (with the same
        cap); this rule's note would only repeat it less precisely. An answer naming at least
        `ANSWERS_HERE` of the key concepts is not told it answers another question, nor is one
        to a twin question (the other model answer graded right here, `RIGHT_HERE`) naming no
        key concept of the twin that this one does not ask too (`names_only_there`), unless it
        is mostly formulas or code (`mostly_notation`), whose words name nothing either way
        ("w = w - lr * grad * momentum" to the momentum question, nearest gradient descent's
        model answer): checks made after the thresholds, which the fit chose as before, so the
        committed calibrations stand."""
        if judged.has(Flag.SIBLING):
            return None
        prompt, measured = judged.prompt, judged.measurement
        named = concepts_named(prompt, measured.covered)
        if named is not None and named >= ANSWERS_HERE * len(prompt.concepts):
            return None
        other = measured.other_answer
        if (
            named is not None
            and other is not None
            and other.prompt.concepts
            and judged.other_answer_grade is not None
            and judged.other_answer_grade >= RIGHT_HERE
            and not names_only_there(prompt, other.prompt, judged.text)
            and not mostly_notation(judged.text)
        ):
            return None
        rule = judged.fit(OffTopicRule)
        if rule.applies(
            measured.features,
            named,
            reviewed=concepts_reviewed(prompt),
            other_answer_grade=judged.other_answer_grade,
        ):
            return self.fired()
        return None


RULE = OffTopic()
