"""How a foreign question list becomes one of our bank files: stable ids, graded prompts, YAML.

Foreign lists give a question and its accepted answers (Red trivia) or one model answer (CSV),
in one language. Under a team bank's rules that is enough to grade: each answer becomes a reference
in its own language, and the grader compares answers with it (the reference-only profile, or the
concept profile when the source names key concepts). `/quiz reveal` shows the guidance, which
lists what the source accepts. An editor can add the other language, concepts and misconceptions
later; nothing has to be invented to start.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from content.importers.hangul_roman import romanize
from content.loader import MAX_BANK_BYTES, BankError
from content.schema import (
    MAX_QUESTION_CHARS,
    BankFile,
    Concept,
    Lang,
    Localized,
    Misconception,
    Prompt,
    Reference,
)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_SLUG_MAX = 48


class BankImportError(Exception):
    """Every problem found in a source file, so its author can fix them in one pass."""

    def __init__(self, problems: Sequence[BankError]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = tuple(problems)


class OutputError(BankImportError):
    """The bank file cannot be written where asked (a missing folder, a folder, a file there):
    the source is fine, the target is to fix."""


@dataclass(frozen=True)
class Imported:
    """A converted bank file, plus notes on what the source had that the bank does not keep."""

    bank_file: BankFile
    notes: tuple[str, ...] = ()


def preview(text: str, limit: int = 40) -> str:
    """A question shortened for an error line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def readable_slug(name: str, limit: int = _SLUG_MAX) -> str:
    """`name` in lowercase ASCII words joined by `-`, Hangul romanised (`오차 계산` gives
    `ocha-gyesan`); empty when the name has neither Latin letters, digits nor Hangul."""
    return _NOT_SLUG.sub("-", romanize(name).casefold()).strip("-")[:limit].strip("-")


def bank_slug(bank: str) -> str:
    """The id prefix of a bank: its readable slug, or a short digest of a name in another script,
    so ids stay stable across re-imports."""
    return readable_slug(bank) or "b" + hashlib.sha256(bank.encode()).hexdigest()[:8]


def prompt_ids(bank: str, count: int) -> list[str]:
    """`<slug>-001`, `<slug>-002`, ... in source order; wider numbers past 999 questions."""
    width = max(3, len(str(count)))
    slug = bank_slug(bank)
    return [f"{slug}-{index:0{width}d}" for index in range(1, count + 1)]


def answer_lang(text: str) -> Lang:
    """Korean when the text has Hangul, else English: the only two languages the schema knows."""
    return "ko" if _HANGUL.search(text) else "en"


def references_for(answers: Sequence[str]) -> tuple[Reference, ...]:
    """Each accepted or model answer as a reference in the language it is written in."""
    return tuple(Reference(lang=answer_lang(answer), text=answer) for answer in answers)


def concepts_named(names: Sequence[str]) -> tuple[Concept, ...]:
    """Key concepts from a source that names each as `name|other wording|...`: the first name
    labels it in both languages, the other wordings are synonyms the grader also looks for (a
    Korean name with its English term lets an English answer match), and the id is the name's
    readable slug (`c<N>`, its place in the list, for a name in another script)."""
    concepts: dict[str, Concept] = {}
    for number, entry in enumerate(names, start=1):
        name, *others = [part.strip() for part in entry.split("|") if part.strip()] or [entry]
        concept_id = readable_slug(name, 40) or f"c{number}"
        concepts.setdefault(
            concept_id, Concept(id=concept_id, ko=name, en=name, synonyms=tuple(others))
        )
    return tuple(concepts.values())


def model_answer_guidance(answer: str, concepts: Sequence[str]) -> Localized:
    """What `/quiz reveal` shows for an imported prompt: the model answer, then the key concepts
    by their first names."""
    names = [entry.split("|")[0].strip() for entry in concepts]
    if not names:
        return Localized(ko=f"모범 답안: {answer}", en=f"Model answer: {answer}")
    listed = ", ".join(names)
    return Localized(
        ko=f"모범 답안: {answer}\n핵심 개념: {listed}",
        en=f"Model answer: {answer}\nKey concepts: {listed}",
    )


def question_too_long(path: Path, question: str, where: str) -> BankError | None:
    """The problem of a question over the schema's `MAX_QUESTION_CHARS`, reported with the
    list's other problems: left to the schema, an 80,000-character question in a CSV table or
    a trivia list ended the import in a traceback (issue 83)."""
    if len(question) <= MAX_QUESTION_CHARS:
        return None
    values = {"length": len(question), "most": MAX_QUESTION_CHARS}
    return BankError(str(path), "question_long", values, field=where)


def graded_prompt(
    *,
    prompt_id: str,
    question: str,
    guidance: Localized | None,
    topic: str,
    source: str,
    references: tuple[Reference, ...],
    concepts: tuple[Concept, ...] = (),
    misconceptions: tuple[Misconception, ...] = (),
    parent: str | None = None,
    order: int = 0,
) -> Prompt:
    """A graded team prompt asking `question` in both UI languages (the source has only one); a
    follow-up when `parent` is given. Without references it waits for its model answer."""
    return Prompt.model_validate(
        {
            "id": prompt_id,
            "kind": "graded",
            "status": "ready" if references else "waiting",
            "parent": parent,
            "order": order,
            "text": Localized(ko=question, en=question),
            "topics": (topic,),
            "guidance": guidance,
            "references": references,
            "concepts": concepts,
            "misconceptions": misconceptions,
            "source": source,
        },
        context={"rules": "team"},
    )


_PROMPT_KEYS = len("- id: \n  text:\n    ko: \n    en: \n  topics:\n  - \n  source: \n")
"""The bytes of the keys every imported prompt's YAML has, whatever it holds."""


def least_prompt_bytes(
    *, bank: str, count: int, question: str, answers: Sequence[str], source: str
) -> int:
    """The fewest bytes one imported prompt takes in its bank file (one of `count` main
    questions): its keys, id, topic, source, the question twice (ko and en) and each answer three
    times (its reference and the guidance in two languages); quoting and line folding only add."""
    prompt_id = len(bank_slug(bank)) + 1 + max(3, len(str(count)))
    texts = 2 * len(question.encode()) + 3 * sum(len(answer.encode()) for answer in answers)
    return _PROMPT_KEYS + prompt_id + len(bank.encode()) + len(source.encode()) + texts


def refuse_oversized(path: Path, least_bytes: Sequence[int]) -> None:
    """Refuse, before any prompt is built, questions whose bank would be over the loader's cap
    (`least_bytes` per question, from `least_prompt_bytes`): a huge source then costs one pass
    over its text, not the building and writing of a bank that would be refused anyway."""
    least = sum(least_bytes)
    if least > MAX_BANK_BYTES:
        raise BankImportError(
            [
                BankError(
                    str(path),
                    "import_too_many",
                    {
                        "asked": f"{len(least_bytes):,}",
                        "least": f"{least:,}",
                        "cap": f"{MAX_BANK_BYTES:,}",
                    },
                )
            ]
        )


def bank_yaml(bank_file: BankFile) -> str:
    """The bank as YAML our loader reads back: plain mappings, strings quoted where YAML 1.1 would
    otherwise read them as booleans or numbers, default fields left out."""
    data = bank_file.model_dump(mode="json", exclude_defaults=True)
    data = {"bank": data.pop("bank"), "version": bank_file.version, **data}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_bank(bank_file: BankFile, out: Path, *, force: bool) -> None:
    """Write the bank, refusing to overwrite unless asked or to exceed the loader's size cap."""
    text = bank_yaml(bank_file)
    size = len(text.encode())
    if size > MAX_BANK_BYTES:
        raise BankImportError(
            [
                BankError(
                    str(out), "import_too_big", {"size": f"{size:,}", "cap": f"{MAX_BANK_BYTES:,}"}
                )
            ]
        )
    check_output(out, force=force, suggested=f"{bank_slug(bank_file.bank)}.yaml")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            [BankError(str(out), "output_unwritable", {"reason": exc.strerror or exc})]
        ) from None


def check_output(out: Path, *, force: bool, suggested: str) -> None:
    """Raise `OutputError` when the bank cannot go to `out`: its folder is missing, it is a
    folder (`suggested` names a file in it), or it exists and `force` is not given."""
    if out.is_dir():
        problem = BankError(str(out), "output_is_folder", {"suggested": out / suggested})
    elif not out.parent.is_dir():
        problem = BankError(str(out), "output_no_folder", {"folder": out.parent})
    elif out.exists() and not force:
        problem = BankError(str(out), "output_exists")
    else:
        return
    raise OutputError([problem])
