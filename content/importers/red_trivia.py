"""Import a Red-DiscordBot trivia list (`data/lists/*.yaml`) as a bank file.

A Red list maps each question to the list of answers it accepts, beside two optional keys:
`AUTHOR` (credited in each prompt's `source`) and `CONFIG` (Red's game settings such as timeouts
and payouts; our quiz flow has its own, so it is dropped with a note). Per question, in file order:

- id `<bank slug>-001`, `-002`, ... (see `imported_bank.prompt_ids`), stable across re-imports;
- `kind: graded` under team rules, each accepted answer a reference in its own language, so an
  answer is graded against the closest one (a short accepted answer also lets a one-word reply
  score in full);
- the question as both `text.ko` and `text.en` (the list has one language);
- guidance "정답으로 인정되는 답: …" / "Accepted answers: …", shown by `/quiz reveal`;
- the bank name as the one topic; `source: red-trivia:<file>` plus the author.

The file is read with every scalar kept as text: Red's own loader turns an answer `yes` into
`True` and `1.0` into `1`; here they stay as the author wrote them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from content.importers.imported_bank import (
    BankImportError,
    Imported,
    graded_prompt,
    least_prompt_bytes,
    preview,
    prompt_ids,
    question_too_long,
    references_for,
    refuse_oversized,
)
from content.loader import BankError, read_yaml
from content.schema import BankFile, Localized
from content.text_rule import incoming_text

_META_KEYS = ("AUTHOR", "CONFIG")


def import_red_trivia(path: Path, *, bank: str | None = None) -> Imported:
    """Convert the list at `path`; the bank is named `bank` or, as Red names lists, the stem."""
    name = bank or path.stem
    try:
        raw = _under_text_rule(read_yaml(path, scalars_as_text=True))
    except BankError as exc:
        raise BankImportError([exc]) from None
    if not isinstance(raw, dict):
        raise BankImportError([BankError(str(path), "trivia_not_mapping")])
    problems: list[BankError] = []
    author = raw.get("AUTHOR")
    if author is not None and not (isinstance(author, str) and author.strip()):
        problems.append(BankError(str(path), "trivia_author", field="AUTHOR"))
    notes: list[str] = []
    if "CONFIG" in raw:
        notes.append("CONFIG ignored: quiz timing and scoring come from the bot's settings")
    questions: list[tuple[str, tuple[str, ...]]] = []
    for index, (question, answers) in enumerate(
        ((q, a) for q, a in raw.items() if q not in _META_KEYS), start=1
    ):
        parsed = _question(path, index, question, answers, problems)
        if parsed is not None:
            questions.append(parsed)
    if not questions and not problems:
        problems.append(BankError(str(path), "trivia_none"))
    if problems:
        raise BankImportError(problems)
    source = f"red-trivia:{path.name}" + (
        f" by {author.strip()}" if isinstance(author, str) else ""
    )
    refuse_oversized(
        path,
        [
            least_prompt_bytes(
                bank=name, count=len(questions), question=question, answers=answers, source=source
            )
            for question, answers in questions
        ],
    )
    prompts = [
        graded_prompt(
            prompt_id=prompt_id,
            question=question,
            guidance=Localized(
                ko="정답으로 인정되는 답: " + ", ".join(answers),
                en="Accepted answers: " + ", ".join(answers),
            ),
            topic=name,
            source=source,
            references=references_for(answers),
        )
        for prompt_id, (question, answers) in zip(
            prompt_ids(name, len(questions)), questions, strict=True
        )
    ]
    return Imported(BankFile(bank=name, prompts=tuple(prompts)), tuple(notes))


def _question(
    path: Path, index: int, question: Any, answers: Any, problems: list[BankError]
) -> tuple[str, tuple[str, ...]] | None:
    """One question and its answers, stripped and de-duplicated; problems are appended, not raised,
    so a list with several mistakes is reported whole."""
    text = question.strip() if isinstance(question, str) else ""
    where = f'question {index} "{preview(text)}"' if text else f"question {index}"
    if not text:
        problems.append(BankError(str(path), "trivia_question_blank", field=where))
        return None
    if too_long := question_too_long(path, text, where):
        problems.append(too_long)
        return None
    if not isinstance(answers, list) or not answers:
        problems.append(BankError(str(path), "trivia_answers_not_list", field=where))
        return None
    accepted: list[str] = []
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, str):
            kind = "list" if isinstance(answer, list) else "mapping"
            problems.append(
                BankError(str(path), f"trivia_answer_{kind}", {"number": number}, field=where)
            )
            continue
        if not answer.strip():
            problems.append(
                BankError(str(path), "trivia_answer_blank", {"number": number}, field=where)
            )
        elif answer.strip() not in accepted:
            accepted.append(answer.strip())
    return (text, tuple(accepted)) if accepted else None


def _under_text_rule(raw: Any) -> Any:
    """The list with every text under the text rule (`content.text_rule`): YAML escapes such as
    `"\\0"` or `"\\e"` put control characters in a scalar that the file's bytes do not show."""
    if isinstance(raw, str):
        return incoming_text(raw)
    if isinstance(raw, list):
        return [_under_text_rule(item) for item in raw]
    if isinstance(raw, dict):
        return {_under_text_rule(key): _under_text_rule(value) for key, value in raw.items()}
    return raw
