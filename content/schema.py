"""Typed shape of a question bank file, so a bad bank fails at load time with a field path."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Lang = Literal["ko", "en"]
PromptKind = Literal["graded", "open"]

PROMPT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


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
    def _complete_for_kind(self) -> Prompt:
        if self.kind == "graded":
            langs = {r.lang for r in self.references}
            if len(self.references) < 2 or langs != {"ko", "en"}:
                raise ValueError(
                    "references: a graded prompt needs at least 2, with Korean and English"
                )
            if not 2 <= len(self.concepts) <= 6:
                raise ValueError("concepts: a graded prompt needs 2 to 6 key concepts")
            if not 1 <= len(self.misconceptions) <= 3:
                raise ValueError("misconceptions: a graded prompt needs 1 to 3")
        elif self.guidance is None:
            raise ValueError("guidance: an open prompt needs model-answer guidance for reveal")
        ids = [c.id for c in self.concepts]
        if len(ids) != len(set(ids)):
            raise ValueError("concepts: concept ids repeat within the prompt")
        if self.parent is None and self.order != 0:
            raise ValueError("order: only follow-ups (with a parent) have an order")
        return self

    @property
    def is_followup(self) -> bool:
        return self.parent is not None

    def references_in(self, lang: Lang) -> tuple[Reference, ...]:
        return tuple(r for r in self.references if r.lang == lang)

    def concept(self, concept_id: str) -> Concept:
        for concept in self.concepts:
            if concept.id == concept_id:
                return concept
        raise KeyError(concept_id)


class BankFile(_Strict):
    """One YAML file: a named bank holding prompts."""

    bank: str = Field(min_length=1)
    version: Literal[1] = 1
    prompts: tuple[Prompt, ...] = Field(min_length=1)
