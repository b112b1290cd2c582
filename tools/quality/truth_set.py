"""The truth set (`evaluators/data/truth/`): hand-written answers, each labelled with the key
concepts it really states and the misconception, role swap or non-answer it is, written before
the grader was tuned on any of them. It measures what a grade *says*: each statement a member
reads (a concept covered, a concept missed, a misconception stated, two roles swapped, the
answer of another question, a non-answer named) is checked against the labels.

The rows are split once, by the sha256 of `"truth:" + question`, into an open half (read while
working on the grader) and a locked half (`locked.jsonl`), which nothing tunes on: it is only
measured, by `make quality`, like the dev set's lockbox."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.imported_bank import BankImportError
from content.importers.notes import import_notes
from content.schema import Prompt
from evaluators.feedback import told_rules
from evaluators.fitting.rows import HarnessError
from evaluators.grade import NON_ANSWER, NON_ANSWER_MOST, Flag
from evaluators.scoring import Explanation
from tools.quality.team_banks import beside_seed

TRUTH_DIR = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "truth"
Half = Literal["open", "locked"]
HALVES: tuple[Half, ...] = ("open", "locked")
NOTES_FILES = ("ko_notes.md", "en_notes.md")
"""The truth set's own team notes (with `오해:` and `Misconception:` lines), imported as `content
import notes` imports them."""

Kind = Literal["complete", "half", "misconception", "swap", "typos", "non_answer"]
RIGHT_KINDS: frozenset[str] = frozenset({"complete", "half", "typos"})
WRONG_KINDS: frozenset[str] = frozenset({"misconception", "swap"})


class TruthRow(BaseModel):
    """One labelled answer. `states`: the ids of the prompt's key concepts the answer really
    states, correctly; `misconception`, `swap`, `non_answer`: what a wrong answer or a
    non-answer is; `pair`: a translation pair's id (one row in each language)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: str
    bank: str
    prompt: str
    question: str
    lang: Literal["ko", "en"]
    kind: Kind
    answer: str
    states: tuple[str, ...]
    misconception: str | None
    swap: tuple[str, str] | None
    non_answer: Literal["greeting", "dont_know", "link", "code", "lorem"] | None
    pair: str | None


def locked(question: str) -> bool:
    """Whether a question's answers are in the locked half: the sha256 of `"truth:" + question`
    has an even first byte. Fixed once, before any of them was graded."""
    return hashlib.sha256(f"truth:{question}".encode()).digest()[0] % 2 == 0


def read_half(half: Half, folder: Path = TRUTH_DIR) -> list[TruthRow]:
    """The rows of one half, each checked against `TruthRow`; one line names a bad row."""
    path = folder / f"{half}.jsonl"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(TruthRow.model_validate(_with_tuples(json.loads(line))))
        except (ValueError, ValidationError) as exc:
            raise HarnessError(f"{path}:{number}: not a truth row: {exc}") from None
    return rows


def _with_tuples(data: dict[str, object]) -> dict[str, object]:
    """JSON's lists as the tuples the strict model holds."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def truth_bank(folder: Path = TRUTH_DIR) -> Bank:
    """The default bank with the truth set's notes imported beside it, their key concepts
    drafted as `content import notes` drafts them."""
    try:
        files = [
            draft_missing_concepts(import_notes(folder / "notes" / name).bank_file)
            for name in NOTES_FILES
        ]
    except BankImportError as exc:
        raise HarnessError(f"the truth set's notes do not import: {exc}") from None
    return beside_seed(files)


def prompt_of(row: TruthRow, bank: Bank) -> Prompt:
    """The prompt a row answers, checked against the question it names."""
    prompt = bank.get(row.prompt) if row.prompt in bank else None
    if prompt is None or prompt.text.ko != row.question:
        raise HarnessError(f"{row.id}: prompt {row.prompt} is not the question it names")
    unknown = set(row.states) - {c.id for c in prompt.concepts}
    if unknown:
        raise HarnessError(f"{row.id}: {row.prompt} has no concept {sorted(unknown)}")
    return prompt


@dataclass(frozen=True)
class Statement:
    """One thing a grade tells a member, and whether the labels say it is true."""

    kind: str
    said: str
    true: bool


def statements(row: TruthRow, explanation: Explanation) -> list[Statement]:
    """What a grade tells of `row`, each statement checked against its labels: every concept
    listed as covered (true when the answer states it) or as missed (true when it does not), a
    misconception named and two roles said swapped (true of a wrong answer), an answer said to
    answer another question (no row of the set does), and a non-answer named as one."""
    states = set(row.states)
    told = told_rules(explanation.fired, score=explanation.score)
    flags = {f.flag for f in told}
    wrong = row.kind in WRONG_KINDS
    out = [Statement("covered", c, c in states) for c in explanation.covered]
    out += [Statement("missed", c, c not in states) for c in explanation.missed]
    if explanation.told.misconception is not None:
        out.append(Statement("misconception", explanation.told.misconception, wrong))
    if flags & {Flag.SWAPPED, Flag.REVERSED}:
        said = next(f for f in told if f.flag in {Flag.SWAPPED, Flag.REVERSED})
        out.append(Statement("swapped", said.flag.value, wrong))
    if flags & {Flag.OFF_TOPIC, Flag.SIBLING}:
        out.append(Statement("another question", "another question", False))
    if flags & NON_ANSWER and explanation.score <= NON_ANSWER_MOST:
        out.append(Statement("non-answer", "non-answer", row.kind == "non_answer"))
    return out
