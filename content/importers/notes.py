"""Import a team's study notes (Markdown or plain text) as a bank file.

Two layouts, told apart by whether any line starts with `Keyword:` or `Answer:` (or, with
neither, whether `## question?` headings ask the questions and no numbered list does); a file in
the headings layout may open with questions in the list layout above its first `## question` (one
file of both, as the seed notes are), and code blocks are read in neither:

- **Lists.** `1. question` starts a main question, `+ question` a follow-up of the last one; an
  `A.` line opens the answer of the question above it, a numbered list of points indented below
  (the points, one a line, are the reference; an empty block means no answer yet); a line of
  the block that starts `오해:` or `Misconception:` is a wrong claim, not a point. A bulleted
  list whose every item is a question (`- [question](#anchor)`, `- [question]`, or text with a
  `?`) adds main questions, its indented items follow-ups; so does a lone line with a `?`. After
  such a list, a `---` rule ends what is read: below it sits free prose, not question-and-answer.
- **Headings.** `## question` starts a main question and `### question` a follow-up; below it,
  `Keyword: a, b` names its key concepts and `Answer: ...` (with the lines right under it) is its
  reference; each `오해: ...` or `Misconception: ...` line is a wrong claim about it. Bullet
  details under a question are not imported: they are the author's raw notes (fragments, pasted
  English paragraphs, links, `-->` asides, struck-out claims), while `Answer:` is the author's
  own summary of them, and a reference must hold only what a full answer says. A list of
  questions there (every item with a `?`) adds questions as in the list layout.

A question without an answer becomes a prompt with `status: waiting`, which the bot does not post;
`quizmaster content check` lists each with what to add. Ids are `<bank slug>-NNN` for main
questions in order and `-NNN.K` for their follow-ups; `source` names the line a prompt came from.
A wrong claim becomes one of the prompt's misconceptions, in the language it is written in: an
answer that says it is scored down and told which claim it is close to. A question repeated word
for word is imported once. Each problem found (a follow-up before any main question, a second
answer, more than 6 keywords or wrong claims) is one line naming the file and line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from content.bank import normalize_question
from content.importers.imported_bank import (
    BankImportError,
    Imported,
    answer_lang,
    concepts_named,
    graded_prompt,
    least_prompt_bytes,
    model_answer_guidance,
    prompt_ids,
    references_for,
    refuse_oversized,
)
from content.importers.notes_markup import plain_text
from content.loader import BankError, read_text_file
from content.schema import MAX_MISCONCEPTIONS, MAX_QUESTION_CHARS, BankFile, Misconception, Prompt
from content.text_rule import incoming_text, visible

MAX_KEYWORDS = 6
MAX_CLAIMS = 2 * MAX_MISCONCEPTIONS
"""Wrong claims a question takes: a team prompt holds up to this many misconceptions (three
claims, each in both languages)."""
_CLAIM = re.compile(r"^(?:흔한\s*)?(?:오해|Misconceptions?)\s*:\s*(.*)$", re.IGNORECASE)
_FIELD = re.compile(r"^(Keyword|Answer)s?\s*:\s*(.*)$", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+(.*)$")
_FOLLOWUP = re.compile(r"^\+\s+(.*)$")
_ANSWER_MARK = re.compile(r"^A[.:](?:\s+(.*))?$")
_POINT = re.compile(r"^\d+[.)](?:\s+(.*))?$")
_POINT_MARK = re.compile(r"^(?:\d+[.)]|[-*])\s+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_LISTED = re.compile(r"^\[(.+)\](?:\(#[^)]*\))?$")
_RULE = re.compile(r"^(-{3,}|\*{3,}|_{3,})$")
_MAIN_HEADING = re.compile(r"^##\s")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class _Question:
    """One question as read: its line, cleaned text, answer points, keywords and follow-ups."""

    line: int
    text: str
    points: list[str] = field(default_factory=list)
    answered_at: int | None = None
    keywords: list[str] = field(default_factory=list)
    keywords_at: int | None = None
    claims: list[tuple[int, str]] = field(default_factory=list)
    followups: list[_Question] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return "\n".join(point for point in self.points if point)

    @property
    def carries_content(self) -> bool:
        return bool(self.answer or self.keywords or self.claims or self.followups)


@dataclass
class _Reading:
    """What one pass over the file found: questions in order, problems, and what it skipped."""

    path: Path
    questions: list[_Question] = field(default_factory=list)
    problems: list[BankError] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    details: int = 0
    unread: tuple[int, int] | None = None
    fenced: list[tuple[int, int]] = field(default_factory=list)

    def problem(self, line: int, key: str, **values: object) -> None:
        """A problem on `line`: the bank catalogue's message `key` with its `values`."""
        self.problems.append(BankError(str(self.path), key, values, line=line))

    def ask(self, line: int, raw: str, main: _Question | None = None) -> _Question:
        """The question asked on `line`, kept under `main` or as a main one; one without words
        is a problem, returned unkept so that its answer lines add no problem of their own."""
        text = plain_text(raw)
        question = _Question(line, text)
        if not text:
            self.problem(line, "notes_question_empty")
            return question
        if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
            self.problem(line, "notes_question_no_words")
            return question
        if len(text) > MAX_QUESTION_CHARS:
            self.problem(line, "question_long", length=len(text), most=MAX_QUESTION_CHARS)
        if main is None:
            self.questions.append(question)
        else:
            main.followups.append(question)
        return question

    def last_main(self, line: int, mark: str) -> _Question | None:
        """The main question a line marked `mark` (a follow-up's `+` or `###`, or an answer's
        `A.`) belongs to."""
        if not self.questions:
            kind = "answer" if mark == "A." else "followup"
            self.problem(line, f"notes_{kind}_before_main", mark=mark)
            return None
        return self.questions[-1]


def import_notes(path: Path, *, bank: str | None = None) -> Imported:
    """Convert the notes at `path`; the bank is named `bank` or the file's stem."""
    try:
        text = read_text_file(path)
    except BankError as exc:
        raise BankImportError([exc]) from None
    return notes_from_text(text, path, bank=bank or path.stem)


def notes_from_text(text: str, path: Path, *, bank: str) -> Imported:
    """Convert notes given as text (pasted on the web page), named `path` in every problem and
    `source` as a file of that name would be; the text rule (`content.text_rule`) applies."""
    lines = incoming_text(text).removeprefix("\ufeff").splitlines()
    reading = _Reading(path)
    reading.fenced = _blank_fenced(lines)
    if _headings_layout(lines):
        label = "Answer:"
        first = next((n for n, line in enumerate(lines) if _MAIN_HEADING.match(line)), 0)
        if _numbered_layout(lines[:first]):
            _read_lists(lines[:first], reading)
            lines = [""] * first + lines[first:]
        _refuse_late_answer_marks(lines, first, reading)
        _read_headings(lines, reading)
    else:
        label = "A."
        _read_lists(lines, reading)
    _refuse_invisible_answers(reading, label)
    if not reading.questions and not reading.problems:
        reading.problems.append(BankError(str(path), "notes_none_found"))
    mains, repeated = _unique(reading)
    if reading.problems:
        raise BankImportError(reading.problems)
    refuse_oversized(
        path,
        [
            least_prompt_bytes(
                bank=bank,
                count=len(mains),
                question=question.text,
                answers=[question.answer],
                source=f"notes:{path.name} line {question.line}",
            )
            for main in mains
            for question in (main, *main.followups)
        ],
    )
    prompts = _prompts(mains, bank, path)
    return Imported(BankFile(bank=bank, prompts=tuple(prompts)), _notes(reading, repeated))


def _blank_fenced(lines: list[str]) -> list[tuple[int, int]]:
    """Blank every line of a ``` or ~~~ code block in place (code is no question, and a heading
    or `Answer:` in an example is not the notes' own); returns each block's first and last line."""
    blocks: list[tuple[int, int]] = []
    opened: tuple[int, str] | None = None
    for index, line in enumerate(lines):
        if opened is None:
            if fence := _FENCE.match(line):
                opened = (index, fence.group(1)[0] * 3)
        elif line.strip().startswith(opened[1]):
            blocks.append((opened[0] + 1, index + 1))
            opened = None
    if opened is not None:
        blocks.append((opened[0] + 1, len(lines)))
    for first, last in blocks:
        lines[first - 1 : last] = [""] * (last - first + 1)
    return blocks


def _headings_layout(lines: list[str]) -> bool:
    """Whether the notes are in the headings layout: a `Keyword:` or `Answer:` line, or
    `## question` headings that ask (a `?`) with no question in the list layout beside them
    (notes of questions still to answer, each imported waiting)."""
    if any(_FIELD.match(line) for line in lines):
        return True
    asked = any(_MAIN_HEADING.match(line) and _asks(line) for line in lines)
    return asked and not _numbered_layout(lines)


def _numbered_layout(lines: list[str]) -> bool:
    """Whether `lines` (those above the first `##` question) hold questions in the list layout:
    an `A.` answer, or a numbered question."""
    return any(
        _ANSWER_MARK.match(line) or ((match := _NUMBERED.match(line)) and _asks(match.group(1)))
        for line in lines
    )


def _refuse_late_answer_marks(lines: list[str], first: int, reading: _Reading) -> None:
    """An `A.` answer among `## question` sections cannot be read in either layout: one line."""
    for number in range(first + 1, len(lines) + 1):
        if _ANSWER_MARK.match(lines[number - 1]):
            reading.problem(number, "notes_answer_below_headings")
            return


def _refuse_invisible_answers(reading: _Reading, label: str) -> None:
    """An answer of only spaces and zero-width marks would be a reference nothing can match."""
    for main in reading.questions:
        for question in (main, *main.followups):
            if question.answer and not visible(question.answer):
                reading.problem(
                    question.answered_at or question.line, "notes_answer_invisible", label=label
                )


def _read_lists(lines: list[str], reading: _Reading) -> None:
    in_answer = False
    answering: _Question | None = None
    listed = False
    number = 0
    while number < len(lines):
        raw = lines[number]
        number += 1
        stripped = raw.strip()
        if in_answer and (not stripped or raw[0].isspace()):
            if answering is None:
                continue
            if claim := _CLAIM.match(_POINT_MARK.sub("", stripped)):
                _add_claim(number, claim.group(1), answering, reading)
            else:
                _add_point(answering, stripped)
            continue
        in_answer = False
        if not stripped or _HEADING.match(stripped):
            continue
        if _RULE.match(stripped):
            if listed:
                rest = [n for n in range(number + 1, len(lines) + 1) if lines[n - 1].strip()]
                reading.unread = (rest[0], rest[-1]) if rest else None
                return
            continue
        if match := _NUMBERED.match(raw):
            reading.ask(number, match.group(1))
        elif match := _FOLLOWUP.match(raw):
            main = reading.last_main(number, "+")
            if main is not None:
                reading.ask(number, match.group(1), main)
        elif match := _ANSWER_MARK.match(raw):
            in_answer = True
            answering = _answer_block(number, match.group(1) or "", reading)
        elif _BULLET.match(raw):
            block = _bullet_block(lines, number)
            if _asks_all(block):
                _ask_listed(block, reading)
                listed = True
            else:
                reading.skipped.extend(n for n, _ in block)
            number = block[-1][0]
        elif claim := _CLAIM.match(stripped):
            if answering is None:
                reading.problem(number, "notes_claim_no_answer")
            else:
                _add_claim(number, claim.group(1), answering, reading)
        elif not raw[0].isspace() and not stripped.startswith(">") and _asks(plain_text(raw)):
            reading.ask(number, stripped)
        elif plain_text(stripped):
            reading.skipped.append(number)


def _answer_block(number: int, first: str, reading: _Reading) -> _Question | None:
    """The question an `A.` line answers: the last follow-up of the last main, else the main."""
    main = reading.last_main(number, "A.")
    if main is None:
        return None
    question = main.followups[-1] if main.followups else main
    if question.answered_at is not None:
        reading.problem(
            number,
            "notes_second_label",
            label="A.",
            question=question.line,
            first=question.answered_at,
        )
        return None
    question.answered_at = number
    _add_point(question, first)
    return question


def _add_point(question: _Question, line: str) -> None:
    """A numbered line starts a point; any other line continues the point above it."""
    if not line:
        return
    if match := _POINT.match(line):
        question.points.append(plain_text(match.group(1) or ""))
    elif question.points:
        question.points[-1] = f"{question.points[-1]} {plain_text(line)}".strip()
    else:
        question.points.append(plain_text(line))


def _add_claim(number: int, text: str, question: _Question, reading: _Reading) -> None:
    """Record one wrong claim about `question` (`오해: ...`); an empty one or one too many is a
    problem."""
    claim = plain_text(text)
    if not claim:
        reading.problem(number, "notes_claim_empty")
        return
    question.claims.append((number, claim))
    if len(question.claims) == MAX_CLAIMS + 1:
        reading.problem(number, "notes_claims_many", most=MAX_CLAIMS, question=question.line)


def _bullet_block(lines: list[str], start: int) -> list[tuple[int, str]]:
    """The bulleted lines from line `start` to the next blank line, with their numbers."""
    block: list[tuple[int, str]] = []
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip():
            break
        block.append((number, line))
    return block


def _listed_text(line: str) -> str | None:
    """The question of one list item, or None when the line is no bulleted question."""
    match = _BULLET.match(line)
    if match is None:
        return None
    item = match.group(2).strip()
    if listed := _LISTED.match(item):
        return listed.group(1)
    return item if _asks(plain_text(item)) else None


def _asks_all(block: list[tuple[int, str]]) -> bool:
    return all(_listed_text(line) is not None for _, line in block)


def _ask_listed(block: list[tuple[int, str]], reading: _Reading) -> None:
    """Items at the block's first indent are main questions; deeper ones, their follow-ups."""
    top = len(block[0][1]) - len(block[0][1].lstrip())
    main: _Question | None = None
    for number, line in block:
        text = _listed_text(line) or ""
        if len(line) - len(line.lstrip()) <= top:
            main = reading.ask(number, text)
        elif main is not None:  # else the item above had no words, already a problem
            reading.ask(number, text, main)


def _asks(text: str) -> bool:
    return "?" in text or "？" in text


def _read_headings(lines: list[str], reading: _Reading) -> None:
    current: _Question | None = None
    answering: _Question | None = None
    number = 0
    while number < len(lines):
        raw = lines[number]
        number += 1
        stripped = raw.strip()
        claim = _CLAIM.match(stripped)
        if answering is not None:
            ends = not stripped or _HEADING.match(stripped) or _BULLET.match(raw) or claim
            if not (ends or _FIELD.match(stripped)):
                _add_point(answering, stripped)
                continue
            answering = None
        if not stripped or _RULE.match(stripped):
            continue
        if heading := _HEADING.match(stripped):
            current = _heading_question(number, len(heading.group(1)), heading.group(2), reading)
        elif claim:
            if current is None:
                reading.problem(number, "notes_claim_no_heading")
            else:
                _add_claim(number, claim.group(1), current, reading)
        elif match := _FIELD.match(stripped):
            answering = _field(number, match.group(1).casefold(), match.group(2), current, reading)
        elif _BULLET.match(raw) and not raw[0].isspace():
            block = _bullet_block(lines, number)
            if _asks_all(block):
                _ask_listed(block, reading)
                current = None
            else:
                reading.details += len(block)
            number = block[-1][0]
        elif plain_text(stripped):
            reading.details += 1


def _heading_question(number: int, level: int, text: str, reading: _Reading) -> _Question | None:
    """`##` asks a main question and `###` a follow-up; other levels are titles, not questions."""
    if level == 2:
        return reading.ask(number, text)
    if level == 3:
        main = reading.last_main(number, "###")
        return reading.ask(number, text, main) if main is not None else None
    return None


def _field(
    number: int, name: str, value: str, question: _Question | None, reading: _Reading
) -> _Question | None:
    """Record a `Keyword:` or `Answer:` line; returns the question whose answer continues below."""
    label = "Keyword:" if name.startswith("keyword") else "Answer:"
    if question is None:
        reading.problem(number, "notes_label_no_heading", label=label)
        return None
    if label == "Keyword:":
        if question.keywords_at is not None:
            reading.problem(
                number,
                "notes_second_label",
                label=label,
                question=question.line,
                first=question.keywords_at,
            )
        question.keywords_at = number
        question.keywords = [k for k in map(plain_text, re.split(r"[,、]", value)) if k]
        if len(question.keywords) > MAX_KEYWORDS:
            reading.problem(
                number, "notes_keywords_many", count=len(question.keywords), most=MAX_KEYWORDS
            )
        return None
    if question.answered_at is not None:
        reading.problem(
            number,
            "notes_second_label",
            label=label,
            question=question.line,
            first=question.answered_at,
        )
        return None
    question.answered_at = number
    _add_point(question, value.strip())
    return question


def _unique(reading: _Reading) -> tuple[list[_Question], list[int]]:
    """The main questions with their follow-ups, each wording once: a bare repeat (no answer,
    keywords or follow-ups) is dropped, a repeat with content of its own is a problem."""
    first: dict[str, _Question] = {}
    repeated: list[int] = []

    def keep(question: _Question) -> bool:
        key = normalize_question(question.text)
        seen = first.setdefault(key, question)
        if seen is question:
            return True
        if question.carries_content:
            reading.problem(question.line, "notes_repeated", other=seen.line)
        else:
            repeated.append(question.line)
        return False

    mains: list[_Question] = []
    for main in reading.questions:  # in line order, so the first of two wordings is kept
        if keep(main):
            main.followups = [followup for followup in main.followups if keep(followup)]
            mains.append(main)
    return mains, sorted(repeated)


def _prompts(mains: list[_Question], bank: str, path: Path) -> list[Prompt]:
    prompts: list[Prompt] = []
    for main_id, main in zip(prompt_ids(bank, len(mains)), mains, strict=True):
        prompts.append(_prompt(main, main_id, bank, path))
        prompts.extend(
            _prompt(followup, f"{main_id}.{order}", bank, path, parent=main_id, order=order)
            for order, followup in enumerate(main.followups, start=1)
        )
    return prompts


def _prompt(
    question: _Question,
    prompt_id: str,
    bank: str,
    path: Path,
    *,
    parent: str | None = None,
    order: int = 0,
) -> Prompt:
    answer = question.answer
    return graded_prompt(
        prompt_id=prompt_id,
        question=question.text,
        guidance=model_answer_guidance(answer, question.keywords) if answer else None,
        topic=bank,
        source=f"notes:{path.name} line {question.line}",
        references=references_for([answer] if answer else []),
        concepts=concepts_named(question.keywords),
        misconceptions=tuple(
            Misconception(lang=answer_lang(claim), text=claim) for _, claim in question.claims
        ),
        parent=parent,
        order=order,
    )


def _notes(reading: _Reading, repeated: list[int]) -> tuple[str, ...]:
    """One line for each kind of text the bank does not keep."""
    path = reading.path
    notes: list[str] = []
    if reading.skipped:
        notes.append(
            f"{path}: {_lines(reading.skipped)}: no question (no `?`, `1.`, `+` or `##`); "
            "not imported"
        )
    if repeated:
        notes.append(
            f"{path}: {_lines(repeated)}: repeat{'s' * (len(repeated) == 1)} an earlier question "
            "word for word; imported once"
        )
    if reading.details:
        notes.append(
            f"{path}: {reading.details} lines of bullet details and other text beside the "
            "`Answer:` lines not imported: each question's `Answer:` is its reference"
        )
    if reading.fenced:
        blocks = [f"lines {first}-{last}" for first, last in reading.fenced]
        notes.append(
            f"{path}: {', '.join(blocks)}: a code block; not read for questions"
            if len(blocks) == 1
            else f"{path}: {', '.join(blocks)}: code blocks; not read for questions"
        )
    if reading.unread is not None:
        first, last = reading.unread
        notes.append(
            f"{path}: lines {first}-{last}, below the question list's `---` rule, not read; "
            "to import an answer there, write it as `A.` under the question in the list"
        )
    return tuple(notes)


def _lines(numbers: list[int], shown: int = 8) -> str:
    listed = ", ".join(map(str, numbers[:shown]))
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return f"line{'s' * (len(numbers) != 1)} {listed}{more}"
