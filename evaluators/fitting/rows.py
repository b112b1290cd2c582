"""Human-graded rows and the prompts they answer: read from a jsonl file, matched to the bank by
their question's wording, or given their own reference (external data such as Mohler)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from content.bank import Bank, normalize_question
from content.schema import Localized, Prompt, Reference

T = TypeVar("T")


class HarnessError(Exception):
    """A data problem a person can fix (bad row, unknown question); printed without a traceback."""


@dataclass(frozen=True)
class Row:
    """One human-graded answer."""

    question: str
    answer: str
    score: float
    score_max: float
    reference: str | None = None
    answer_class: str | None = None
    lang: str | None = None
    """The answer's language as the file labels it (`en` or `ko`); None: read from its letters."""
    stated: tuple[str, ...] = ()
    """Ids of the prompt's concepts a person says the answer states (the held-out files)."""


def read_jsonl(path: Path, build: Callable[[dict[str, Any], str], T]) -> list[T]:
    """One `build(data, line)` per non-blank line of a jsonl file; a file that cannot be read,
    a bad line (not JSON, a missing or mistyped key) or no line at all is a HarnessError naming
    the file and line."""
    items: list[T] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise HarnessError(f"{path}: cannot read ({exc.strerror})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(build(json.loads(line), line.strip()))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise HarnessError(f"{path}:{number}: bad row ({type(exc).__name__}: {exc})") from None
    if not items:
        raise HarnessError(f"{path}: no rows")
    return items


def _row(data: dict[str, Any], _line: str) -> Row:
    return Row(
        question=str(data["question"]),
        answer=str(data["answer"]),
        score=float(data["score"]),
        score_max=float(data["score_max"]),
        reference=str(data["reference"]) if data.get("reference") else None,
        answer_class=str(data["class"]) if data.get("class") else None,
        lang=str(data["lang"]) if data.get("lang") else None,
        stated=tuple(str(concept) for concept in data.get("stated") or ()),
    )


def read_rows(path: Path) -> list[Row]:
    """Rows of a jsonl file: question, answer, score, score_max, and optional reference, class
    (a label of the kind of answer, for per-class metrics), lang and stated concept ids."""
    return read_jsonl(path, _row)


def external_prompt(question: str, reference: str) -> Prompt:
    """A prompt for external data that brings only a question and one English reference (e.g.
    Mohler). It deliberately skips the bank's completeness rules (two languages, concepts,
    misconceptions) that such data cannot meet; only the harness builds these."""
    digest = hashlib.sha256(f"{question}\n{reference}".encode()).hexdigest()[:12]
    return Prompt.model_construct(
        id=f"ext-{digest}",
        kind="graded",
        parent=None,
        order=0,
        text=Localized(ko=question, en=question),
        aliases=(),
        topics=("external",),
        difficulty=2,
        references=(Reference(lang="en", text=reference),),
        concepts=(),
        misconceptions=(),
        guidance=None,
        demos=(),
        figure_demo=None,
        source="external",
    )


class Asked(Protocol):
    """What finds a row's prompt: its question, and its reference when it brings one (a graded
    `Row`, or an answer not graded yet)."""

    @property
    def question(self) -> str: ...

    @property
    def reference(self) -> str | None: ...


def resolve_prompts(rows: Sequence[Asked], bank: Bank | None) -> list[Prompt]:
    """The prompt of each row: its own reference if it brings one, else the bank prompt whose
    wording matches. An unknown question is an error that names it."""
    prompts: list[Prompt] = []
    external: dict[tuple[str, str], Prompt] = {}
    for row in rows:
        if row.reference is not None:
            key = (row.question, row.reference)
            if key not in external:
                external[key] = external_prompt(row.question, row.reference)
            prompts.append(external[key])
            continue
        prompt = bank.find_by_text(row.question) if bank is not None else None
        if prompt is None:
            raise HarnessError(f"question not in the bank: {row.question!r}")
        prompts.append(prompt)
    return prompts


def as_team_bank(bank: Bank, prompts: Sequence[Prompt]) -> Bank:
    """`bank` with the distinct `prompts` of external rows beside it, as a team's bank of related
    questions loads beside the seed bank: an answer to one is then compared with its siblings."""
    extra = {p.id: p for p in prompts if p.id not in bank}
    return Bank([*bank.all(), *extra.values()])


def group_of(row: Row, prompt: Prompt) -> str:
    """Cross-validation group: the bank prompt, or the question text for external data."""
    return normalize_question(row.question) if row.reference is not None else prompt.id
