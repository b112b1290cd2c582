"""Human-graded rows and the prompts they answer: read from a jsonl file, matched to the bank by
their question's wording, or given their own reference (external data such as Mohler).

A row a person could get wrong (a score that is not a finite number from 0 to score_max, a
score_max of 0, a file not in UTF-8) is refused with one line naming the file, the line and the
field; an answer is read cut to the grader's limit (`MAX_ANSWER_CHARS`), the part a live answer
is graded on."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from content.bank import Bank, normalize_question
from content.schema import Localized, Prompt, Reference
from evaluators.grade import MAX_ANSWER_CHARS

T = TypeVar("T")


class HarnessError(Exception):
    """A data problem a person can fix (bad row, unknown question); printed without a traceback."""


class FieldError(ValueError):
    """One field of a row that cannot be read: which, and what it must be."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")


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


def _lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HarnessError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise HarnessError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None


def read_jsonl(path: Path, build: Callable[[dict[str, Any], str], T]) -> list[T]:
    """One `build(data, line)` per non-blank line of a jsonl file; a file that cannot be read
    or is not UTF-8, a bad line (not JSON, a missing or mistyped field) or no line at all is a
    HarnessError naming the file and line (and the field, where one is wrong)."""
    items: list[T] = []
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise HarnessError(f"{where}: a row is a JSON object, not {type(data).__name__}")
            items.append(build(data, line.strip()))
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{where}: not JSON ({exc.msg})") from None
        except KeyError as exc:
            raise HarnessError(f"{where}: {exc.args[0]}: missing") from None
        except (TypeError, ValueError) as exc:
            raise HarnessError(f"{where}: {exc}") from None
    if not items:
        raise HarnessError(f"{path}: no rows")
    return items


def text_field(data: dict[str, Any], name: str) -> str:
    """A row's text field (question, answer, reference): a string."""
    value = data[name]
    if not isinstance(value, str):
        raise FieldError(name, f"must be text, not {value!r}")
    return value


def answer_field(data: dict[str, Any]) -> str:
    """A row's answer, cut to the grader's limit as a live answer is graded."""
    return text_field(data, "answer")[:MAX_ANSWER_CHARS]


def number_field(data: dict[str, Any], name: str) -> float:
    """A row's number field: a finite number (not a boolean, not text, not NaN or 1e309)."""
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(name, f"must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise FieldError(name, f"must be a finite number, not {number}")
    return number


def _shown(number: float) -> str:
    return f"{number:g}"


def score_fields(data: dict[str, Any]) -> tuple[float, float]:
    """A row's score and score_max: finite, score_max above 0, the score from 0 to it."""
    score, score_max = number_field(data, "score"), number_field(data, "score_max")
    if score_max <= 0:
        raise FieldError("score_max", f"must be above 0, not {_shown(score_max)}")
    if not 0 <= score <= score_max:
        raise FieldError("score", f"must be from 0 to {_shown(score_max)}, not {_shown(score)}")
    return score, score_max


def _row(data: dict[str, Any], _line: str) -> Row:
    score, score_max = score_fields(data)
    return Row(
        question=text_field(data, "question"),
        answer=answer_field(data),
        score=score,
        score_max=score_max,
        reference=text_field(data, "reference") if data.get("reference") else None,
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
