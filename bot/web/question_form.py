"""The team-question form of the web page: what an admin typed, turned into the bank's own
mapping (the same shape a team bank file holds), and the checker's errors put back beside the
field they are about. The checking itself is `content.check.check_draft`, the code
`quizmaster content check` runs: this module only translates between fields and the schema.
A concept the notes import drafted keeps its `drafted` flag while its line is unchanged, until
the admin ticks "reviewed"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from bot.core.member_text import member_text
from bot.web.texts import coded
from content.loader import BankError
from content.schema import Concept, Lang, Prompt

FIELDS = (
    "id",
    "topics",
    "text_ko",
    "text_en",
    "reference_ko",
    "reference_en",
    "concepts",
    "misconceptions",
    "reviewed",
)
FIELD_CHARS = 4000
"""The most of a field that is kept: a bank text is a few sentences."""
GENERAL = "form"
"""Where an error that names no field of the form is shown (above the form)."""


@dataclass
class QuestionForm:
    """The form's fields as typed (kept as typed, so a refused form shows them again), and the
    stored question's drafted concepts (not yet reviewed), which the typed lines may still hold."""

    values: dict[str, str]
    errors: dict[str, list[Markup]] = field(default_factory=dict)
    drafted: tuple[Concept, ...] = ()

    @classmethod
    def typed(cls, given: Mapping[str, str], stored: Prompt | None = None) -> QuestionForm:
        """The fields under the member-text rule, each cut to FIELD_CHARS, over `stored` (the
        question being edited, if any)."""
        values = {name: member_text(str(given.get(name, "")))[:FIELD_CHARS] for name in FIELDS}
        return cls(values, drafted=_drafted(stored.concepts if stored else ()))

    @classmethod
    def of(cls, prompt: Prompt) -> QuestionForm:
        """A stored question in the form's fields (one reference per language: what the form
        writes)."""
        refs = {lang: prompt.references_in(lang) for lang in ("ko", "en")}
        return cls(
            {
                "id": prompt.id,
                "topics": ", ".join(prompt.topics),
                "text_ko": prompt.text.ko,
                "text_en": prompt.text.en,
                "reference_ko": refs["ko"][0].text if refs["ko"] else "",
                "reference_en": refs["en"][0].text if refs["en"] else "",
                "concepts": "\n".join(
                    " | ".join([c.id, c.ko, c.en, *(["; ".join(c.synonyms)] if c.synonyms else [])])
                    for c in prompt.concepts
                ),
                "misconceptions": "\n".join(f"{m.lang}: {m.text}" for m in prompt.misconceptions),
                "reviewed": "",
            },
            drafted=_drafted(prompt.concepts),
        )

    @property
    def unreviewed(self) -> list[Concept]:
        """The drafted concepts whose line is still as stored (same id and wording): the ones the
        page marks, and that keep `drafted` on a save without the "reviewed" box."""
        typed = {_wording(_concept(line)) for line in _lines(self.values["concepts"])}
        return [c for c in self.drafted if _wording(c.model_dump()) in typed]

    def reference_fields(self) -> list[str]:
        """The fields of the draft's references, in their order."""
        return [name for name in ("reference_ko", "reference_en") if self.values[name].strip()]

    def draft(self) -> dict[str, object]:
        """The question as a team bank file writes it. Nothing is judged here: a line the
        checker cannot read (a concept without its English label) goes through as written and
        the checker names it. An unchanged drafted concept stays drafted unless "reviewed" is
        ticked; a line the admin edited or added is theirs."""
        v = self.values
        kept = set() if v["reviewed"] else {_wording(c.model_dump()) for c in self.unreviewed}
        concepts = [_concept(line) for line in _lines(v["concepts"])]
        return {
            "id": v["id"].strip(),
            "kind": "graded",
            "topics": [t.strip() for t in v["topics"].split(",") if t.strip()],
            "text": {"ko": v["text_ko"].strip(), "en": v["text_en"].strip()},
            "references": [
                {"lang": name.removeprefix("reference_"), "text": v[name].strip()}
                for name in self.reference_fields()
            ],
            "concepts": [c | {"drafted": True} if _wording(c) in kept else c for c in concepts],
            "misconceptions": [_misconception(line) for line in _lines(v["misconceptions"])],
        }

    def place(self, errors: list[BankError], lang: Lang) -> None:
        """Each of the checker's errors beside the field it is about, said in `lang` (the
        page's), the field's path in the bank file as code."""
        refs = self.reference_fields()
        for error in errors:
            said = error.said(lang)
            shown = f"`{error.field}`: {said}" if error.field not in (None, "id") else said
            self.errors.setdefault(_field_of(error.field, refs), []).append(coded(shown))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _concept(line: str) -> dict[str, object]:
    """`id | 한국어 | English | synonym; synonym`."""
    parts = [part.strip() for part in line.split("|")]
    concept: dict[str, object] = dict(zip(("id", "ko", "en"), parts[:3], strict=False))
    if len(parts) > 3:
        concept["synonyms"] = [s.strip() for s in "|".join(parts[3:]).split(";") if s.strip()]
    return concept


def _wording(concept: Mapping[str, object]) -> tuple[object, ...]:
    """What makes a concept line the same as before: its id, labels and synonyms."""
    synonyms = concept.get("synonyms", ())
    return (
        concept.get("id"),
        concept.get("ko"),
        concept.get("en"),
        tuple(synonyms) if isinstance(synonyms, list | tuple) else (),
    )


def _drafted(concepts: Sequence[Concept]) -> tuple[Concept, ...]:
    return tuple(c for c in concepts if c.drafted)


def _misconception(line: str) -> dict[str, object]:
    """`ko: text` or `en: text`; without the language the checker says it is missing."""
    lang, colon, rest = line.partition(":")
    if colon and lang.strip() in ("ko", "en"):
        return {"lang": lang.strip(), "text": rest.strip()}
    return {"text": line}


def _field_of(path: str | None, references: list[str]) -> str:
    """The form field a checker's field path (`references.1.text`) is about."""
    head, _, rest = (path or "").partition(".")
    if head == "text":
        return "text_en" if rest.startswith("en") else "text_ko"
    if head == "aliases":
        return "text_ko"
    if head == "references":
        index = rest.partition(".")[0]
        if index.isdigit() and int(index) < len(references):
            return references[int(index)]
        return "reference_ko"
    if head in ("id", "topics", "concepts", "misconceptions"):
        return head
    return GENERAL
