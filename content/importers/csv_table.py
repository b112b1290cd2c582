"""Import a CSV table of questions and model answers as a bank file.

Columns (header row, names case-insensitive): `question`, `answer`, and optionally `concepts`,
several separated by `;`. Each row becomes a graded prompt under team rules (see
`imported_bank`):

- the answer becomes the reference, in its own language (Hangul: ko, else en);
- the concepts, when given, become key concepts, so the grader names the ones an answer missed;
  a concept may list other wordings after `|` (`정규화|regularization`), matched as synonyms;
- guidance "모범 답안: …" / "Model answer: …" plus the concepts, shown by `/quiz reveal`;
- id `<bank slug>-NNN` in row order; `source: csv:<file> row N` to trace a prompt to its row
  (rows counted as a spreadsheet shows them: the header is row 1, a multi-line cell is one row).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from content.importers.imported_bank import (
    BankImportError,
    Imported,
    concepts_named,
    graded_prompt,
    least_prompt_bytes,
    model_answer_guidance,
    preview,
    prompt_ids,
    question_too_long,
    references_for,
    refuse_oversized,
)
from content.loader import BankError, read_text_file
from content.schema import BankFile
from content.text_rule import incoming_text

REQUIRED = ("question", "answer")
OPTIONAL = ("concepts",)


def import_csv(path: Path, *, bank: str | None = None) -> Imported:
    """Convert the table at `path`; the bank is named `bank` or the file's stem."""
    name = bank or path.stem
    try:
        text = incoming_text(read_text_file(path)).removeprefix("\ufeff")
    except BankError as exc:
        raise BankImportError([exc]) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BankImportError([BankError(str(path), "csv_unreadable", {"problem": exc})]) from None
    if not rows:
        raise BankImportError([BankError(str(path), "csv_empty")])
    problems: list[BankError] = []
    columns = _columns(path, rows[0], problems)
    entries: list[tuple[int, str, str, list[str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"row {number}"
        if len(row) > len(rows[0]) and any(cell.strip() for cell in row[len(rows[0]) :]):
            problems.append(BankError(str(path), "csv_extra_cells", field=where))
            continue
        cells = {col: row[i].strip() if i < len(row) else "" for col, i in columns.items()}
        question, answer = cells.get("question", ""), cells.get("answer", "")
        if question:
            where += f' "{preview(question)}"'
        for column in REQUIRED:
            if column in columns and not cells[column]:
                problems.append(BankError(str(path), "csv_blank", {"column": column}, field=where))
        if too_long := question_too_long(path, question, where):
            problems.append(too_long)
        concepts = [c.strip() for c in cells.get("concepts", "").split(";") if c.strip()]
        entries.append((number, question, answer, concepts))
    if not entries and not problems:
        problems.append(BankError(str(path), "csv_no_rows"))
    if problems:
        raise BankImportError(problems)
    refuse_oversized(
        path,
        [
            least_prompt_bytes(
                bank=name,
                count=len(entries),
                question=question,
                answers=[answer],
                source=f"csv:{path.name} row {number}",
            )
            for number, question, answer, _ in entries
        ],
    )
    prompts = [
        graded_prompt(
            prompt_id=prompt_id,
            question=question,
            guidance=model_answer_guidance(answer, concepts),
            topic=name,
            source=f"csv:{path.name} row {number}",
            references=references_for([answer]),
            concepts=concepts_named(concepts),
        )
        for prompt_id, (number, question, answer, concepts) in zip(
            prompt_ids(name, len(entries)), entries, strict=True
        )
    ]
    return Imported(BankFile(bank=name, prompts=tuple(prompts)))


def _columns(path: Path, header: list[str], problems: list[BankError]) -> dict[str, int]:
    """Column name to index; unknown, repeated or missing columns are problems."""
    columns: dict[str, int] = {}
    expected = ", ".join(REQUIRED) + f"[, {', '.join(OPTIONAL)}]"
    for index, raw in enumerate(header):
        name = raw.strip().casefold()
        if name not in REQUIRED + OPTIONAL:
            problems.append(
                BankError(
                    str(path),
                    "csv_unknown_column",
                    {"column": raw, "expected": expected},
                    field="header",
                )
            )
        elif name in columns:
            problems.append(
                BankError(str(path), "csv_column_twice", {"column": name}, field="header")
            )
        else:
            columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            problems.append(
                BankError(
                    str(path),
                    "csv_missing_column",
                    {"column": name, "expected": expected},
                    field="header",
                )
            )
    return columns
