"""Typed shape of a question bank file, so a bad bank fails at load time with a field path."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

Lang = Literal["ko", "en"]
PromptKind = Literal["graded", "open"]
PromptStatus = Literal["ready", "waiting"]
"""`waiting`: a question imported before anyone wrote its model answer (or guidance). It is kept in
the bank file so `quizmaster content check` lists what to add, but the bot does not post or grade
it (nor its follow-ups) until it is ready."""
Rules = Literal["seed", "team"]
"""How complete a graded prompt must be. `seed`: the shipped bank, whose every prompt carries
references in both languages, key concepts and misconceptions. `team`: a team's own
questions, gradable from one reference answer in either language; concepts and misconceptions
help when given."""

PROMPT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
MAX_MISCONCEPTIONS = 3
MAX_QUESTION_CHARS = 1000
"""The longest question text, in each language: a question is posted in one chat message
(Discord's hold 2,000 characters) with its number and buttons; the bank's longest is under 200.
The detail belongs in the model answer."""
"""Wrong claims per prompt. The seed bank writes each in both languages, as it does its model
answers, so an answer in either language is compared with a misconception worded in its own
language (the bundled English model and the lexical overlap read nothing across languages)."""


class RuleError(ValueError):
    """A prompt the schema's rules refuse: the `field` at fault and the key of the bank
    catalogue's message (`rule_...`, `content/texts.yaml`) with its `values`, never a sentence,
    so the refusal is said in its reader's language (`content.loader.schema_problem`)."""

    def __init__(self, field: str, key: str, **values: object) -> None:
        super().__init__(f"{field}: {key}")
        self.field = field
        self.key = key
        self.values = values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Strict):
    """The same text in both UI languages."""

    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.ko if lang == "ko" else self.en


class Concept(_Strict):
    """A key idea a full answer mentions; its surface forms are what the grader looks for."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()
    drafted: bool = False
    """Drafted from the model answer by an importer, not yet reviewed: `content check` lists it
    until an admin edits the concept and deletes this flag."""

    def label(self, lang: Lang) -> str:
        return self.ko if lang == "ko" else self.en

    def surface_forms(self) -> tuple[str, ...]:
        return (self.ko, self.en, *self.synonyms)


class Reference(_Strict):
    """A model answer written by us, 2-5 sentences."""

    lang: Lang
    text: str = Field(min_length=1)


class Misconception(_Strict):
    """A wrong but plausible answer, so the grader can tell on-topic-but-wrong from right."""

    lang: Lang
    text: str = Field(min_length=1)


class Prompt(_Strict):
    """One question: a main question (no parent) or a follow-up (parent and order)."""

    id: str = Field(pattern=PROMPT_ID_PATTERN)
    kind: PromptKind = "graded"
    status: PromptStatus = "ready"
    parent: str | None = None
    order: int = Field(default=0, ge=0)
    text: Localized
    aliases: tuple[str, ...] = ()
    topics: tuple[str, ...] = Field(min_length=1)
    difficulty: Literal[1, 2, 3] = 2
    references: tuple[Reference, ...] = ()
    concepts: tuple[Concept, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    guidance: Localized | None = None
    demos: tuple[str, ...] = ()
    figure_demo: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _complete_for_kind(self, info: ValidationInfo) -> Prompt:
        rules: Rules = (info.context or {}).get("rules", "team")
        waiting = self.status == "waiting"
        if waiting and rules == "seed":
            raise RuleError("status", "rule_seed_waiting")
        if self.kind == "graded" and rules == "seed":
            langs = {r.lang for r in self.references}
            if len(self.references) < 2 or langs != {"ko", "en"}:
                raise RuleError("references", "rule_seed_references")
            if not 2 <= len(self.concepts) <= 6:
                raise RuleError("concepts", "rule_seed_concepts")
            ko = sum(1 for m in self.misconceptions if m.lang == "ko")
            en = len(self.misconceptions) - ko
            if not 1 <= ko <= MAX_MISCONCEPTIONS or ko != en:
                raise RuleError(
                    "misconceptions", "rule_seed_misconceptions", most=MAX_MISCONCEPTIONS
                )
        elif self.kind == "graded":
            if not self.references and not waiting:
                raise RuleError("references", "rule_references")
            if len(self.concepts) > 6:
                raise RuleError("concepts", "rule_concepts_most", most=6)
            if len(self.misconceptions) > 2 * MAX_MISCONCEPTIONS:
                raise RuleError(
                    "misconceptions",
                    "rule_misconceptions_most",
                    most=2 * MAX_MISCONCEPTIONS,
                    claims=MAX_MISCONCEPTIONS,
                )
        elif self.guidance is None and not waiting:
            raise RuleError("guidance", "rule_guidance")
        longest = max(len(self.text.ko), len(self.text.en))
        if longest > MAX_QUESTION_CHARS:
            raise RuleError("text", "rule_text_long", most=MAX_QUESTION_CHARS, has=longest)
        ids = [c.id for c in self.concepts]
        if len(ids) != len(set(ids)):
            raise RuleError("concepts", "rule_concept_ids")
        if self.parent is None and self.order != 0:
            raise RuleError("order", "rule_order")
        return self

    def references_in(self, lang: Lang) -> tuple[Reference, ...]:
        return tuple(r for r in self.references if r.lang == lang)

    def concept(self, concept_id: str) -> Concept:
        for concept in self.concepts:
            if concept.id == concept_id:
                return concept
        raise KeyError(concept_id)


class BankFile(_Strict):
    """One YAML file: a named bank holding prompts, checked by the file's own `rules`."""

    bank: str = Field(min_length=1)
    version: Literal[1] = 1
    rules: Rules = "team"
    prompts: tuple[Prompt, ...] = Field(min_length=1)


def rules_context(raw: object) -> dict[str, Rules]:
    """The validation context for a raw bank mapping: its declared rules, which its prompts are
    checked by (an unknown value is reported by the `rules` field itself, so team rules apply)."""
    declared = raw.get("rules") if isinstance(raw, dict) else None
    return {"rules": "seed" if declared == "seed" else "team"}


def parse_bank_file(raw: object) -> BankFile:
    """Validate one parsed YAML mapping as a bank file under its own rules."""
    return BankFile.model_validate(raw, context=rules_context(raw))
