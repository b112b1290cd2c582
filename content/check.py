"""Validates bank files the way `load_bank` will use them, but reports every problem at once.

`load_bank` stops at the first error, which suits start-up; an editor fixing a bank wants the whole
list. Schema rules (a seed bank's references in both languages, 2-6 concepts and 1-3
misconceptions; a team bank's one reference; guidance on open prompts) come from
`content.schema`; this module adds what one prompt cannot see alone: ids
unique across files, parents that exist, follow-up orders unique per parent, question wordings
that two prompts share (text lookup would silently pick one), blank text the schema lets through,
control characters the text rule keeps out, demo names the caller's demo catalog does not
know, and a shipped bank's main questions that are not complete (key concepts, follow-ups).
What only the model can judge (near-duplicate questions, a model answer its own grader would
not give full marks) is `tools.quality.bank_consistency`'s.

Each problem is a `BankError`: a key of the bank's catalogue and its values, which the web page
says in its reader's language. The report's `notes` and `summary_lines` are only the command
line's (`quizmaster content check`), which speaks English, and stay English sentences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from content.bank import TEAM_SUBJECT, Bank, normalize_question
from content.importers.imported_bank import preview
from content.loader import BankError, read_yaml, validation_errors
from content.schema import BankFile, Concept, Prompt, parse_bank_file, rules_context
from content.text_rule import removed_controls, visible

DemoNames = Callable[[], Collection[str]]
MIN_MAIN_CONCEPTS = 3
MIN_FOLLOWUPS = 2
DRAFT = Path("web page")
"""The file name a draft's errors carry (`check_draft`)."""
ID_TAKEN = "id_taken"
"""The bank catalogue's message for a draft's id another channel holds: ids are unique in the
database, but nothing of that channel is named (not its question, its wording or its
channel)."""


@dataclass
class CheckReport:
    """What a check found: prompts that validated, every error, and notes that are no errors."""

    files: list[Path] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    waiting: list[BankError] = field(default_factory=list)
    """One line per prompt the bot holds back (`status: waiting`, or under a waiting main
    question), saying what to add; they are no errors."""
    drafted: list[BankError] = field(default_factory=list)
    """One line per prompt with concepts an importer drafted (`drafted: true`), for an admin to
    review; no errors either."""
    origin: dict[str, Path] = field(default_factory=dict)
    """The file each prompt came from, for errors found after the check (the model's)."""
    subjects: dict[str, str] = field(default_factory=dict)
    """Prompt id -> its file's `bank:` name, the subject a channel may choose (`/quiz topics`)."""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Parsed:
    prompts: list[Prompt]
    declared_ids: set[str]
    seed: bool = False
    """Checked by the shipped bank's rules (`rules: seed`), so held to `_check_complete`."""


def check_banks(paths: Sequence[Path], *, demo_names: DemoNames) -> CheckReport:
    """Check every *.yaml under `paths`; `demo_names` is called only if some prompt names a demo."""
    report = CheckReport()
    sources: list[tuple[Path, object]] = []
    for path in _files(paths, report):
        report.files.append(path)
        try:
            sources.append((path, read_yaml(path)))
        except BankError as exc:
            report.errors.append(exc)
    return _check_sources(sources, demo_names, report)


def check_draft(
    draft: Mapping[str, object], bank: Bank, *, replaces: str | None = None
) -> CheckReport:
    """Check one team question written on the web page exactly as `quizmaster content check`
    would check it in a team bank file beside every other prompt of `bank` (the bank as the
    channel sees it: the files' and its own; but the prompt it `replaces`, when it is an
    edit). The report's errors are only the draft's, under the file name `DRAFT`;
    `report.prompts` ends with the draft when it is valid.

    One rule more than a file's: a topic the admin typed is never `team`, the subject of the
    channel's own questions (`/quiz topics`, which refuses the word in a channel that has
    none); the form saved a question tagged `team`, so the word meant two things on the page. A
    bank file's tags are the importers' (a file imported as `team` is tagged `team`, and in
    `QUIZMASTER_BANK_DIR` it is the team's subject): they are not refused."""
    report = check_drafts([draft], bank, replaces=replaces)
    topics = draft.get("topics")
    for index, topic in enumerate(topics if isinstance(topics, list) else []):
        if isinstance(topic, str) and topic.strip().casefold() == TEAM_SUBJECT:
            report.errors.append(
                BankError(
                    str(DRAFT),
                    "topic_team",
                    {"word": topic.strip()},
                    prompt_id=str(draft.get("id", "")) or None,
                    field=f"topics.{index}",
                )
            )
            report.prompts = [p for p in report.prompts if p.id != draft.get("id")]
    return report


def check_drafts(
    drafts: Sequence[Mapping[str, object]], bank: Bank, *, replaces: str | None = None
) -> CheckReport:
    """`check_draft` for several questions checked together, as one file (notes pasted on the
    web page: a follow-up names its main question among them), beside the bank's prompts and
    its open questions (their ids and wordings are taken too). Another channel's questions
    are not beside them: their wordings may be used again, and an id one holds is refused as
    `ID_TAKEN`, which names nothing of it. Errors and waiting lines are only the drafts';
    `report.prompts` ends with the drafts that are valid."""
    others = [
        p.model_dump(mode="json") for p in (*bank.all(), *bank.open_questions()) if p.id != replaces
    ]
    sources: list[tuple[Path, object]] = [
        (Path("bank"), {"bank": "loaded", "rules": "team", "prompts": others}),
        (DRAFT, {"bank": "web", "rules": "team", "prompts": [dict(d) for d in drafts]}),
    ]
    report = _check_sources(sources, lambda: (), CheckReport())
    report.errors = [error for error in report.errors if error.file == str(DRAFT)]
    report.waiting = [line for line in report.waiting if line.file == str(DRAFT)]
    held = [p.id for p in report.prompts if p.id != replaces and bank.held_elsewhere(p.id)]
    report.errors += [
        BankError(str(DRAFT), ID_TAKEN, prompt_id=prompt_id, field="id") for prompt_id in held
    ]
    report.prompts = [p for p in report.prompts if p.id not in held]
    return report


def check_beside(bank_file: BankFile, target: Path, beside: Sequence[Path]) -> list[BankError]:
    """What keeps `bank_file`, once written to `target`, from loading with the bank files under
    `beside` (folders, read as `content check` reads them, and files), as the web page's import
    refuses it beside the running bank. One line for each other file: its ids already used
    there (the bot refuses to start on a duplicate id), then its questions worded like a prompt
    there (a lookup by wording would pick one of the two)."""
    ids: dict[str, Path] = {}
    wordings: dict[str, tuple[str, Path]] = {}
    seen = {target.resolve()}
    for path in _files(beside, CheckReport()):
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            raw = read_yaml(path)
        except BankError:
            continue  # not a bank the bot could load: `content check` names it
        for prompt in _parse(path, raw, CheckReport()).prompts:
            ids.setdefault(prompt.id, path)
            for _, text in _wordings(prompt):
                wordings.setdefault(normalize_question(text), (prompt.id, path))
    taken: dict[Path, list[str]] = {}
    alike: dict[Path, list[str]] = {}
    for prompt in bank_file.prompts:
        if prompt.id in ids:
            taken.setdefault(ids[prompt.id], []).append(prompt.id)
        keys = [normalize_question(text) for _, text in _wordings(prompt)]
        if like := [wordings[key] for key in keys if key and key in wordings]:
            other, where = like[0]
            alike.setdefault(where, []).append(f"{prompt.id} ({prompt.source}, like {other})")
    used = [
        BankError(
            str(target),
            "beside_id_used" if len(found) == 1 else "beside_ids_used",
            {"count": len(found), "where": where, "ids": _listed(found)},
        )
        for where, found in taken.items()
    ]
    worded = [
        BankError(
            str(target),
            "beside_one_worded_like" if len(found) == 1 else "beside_worded_like",
            {"count": len(found), "where": where, "questions": _listed(found)},
        )
        for where, found in alike.items()
    ]
    return used + worded


def _listed(found: list[str], shown: int = 3) -> str:
    """`a`, or `a, b, c, …`: the first few of what was found (the message counts them all)."""
    return ", ".join(found[:shown]) + (", …" if len(found) > shown else "")


def _check_sources(
    sources: Sequence[tuple[Path, object]], demo_names: DemoNames, report: CheckReport
) -> CheckReport:
    origin = report.origin
    declared: set[str] = set()
    seed: set[str] = set()
    for path, raw in sources:
        parsed = _parse(path, raw, report)
        declared |= parsed.declared_ids
        if parsed.seed:
            seed |= {prompt.id for prompt in parsed.prompts}
        subject = raw.get("bank") if isinstance(raw, dict) else None
        for prompt in parsed.prompts:
            if prompt.id in origin:
                report.errors.append(
                    BankError(
                        str(path),
                        "id_duplicate",
                        {"first": origin[prompt.id]},
                        prompt_id=prompt.id,
                        field="id",
                    )
                )
                continue
            origin[prompt.id] = path
            report.prompts.append(prompt)
            if isinstance(subject, str):
                report.subjects[prompt.id] = subject
    _check_links(report.prompts, origin, declared, report)
    _check_wordings(report.prompts, origin, report)
    _check_blanks(report.prompts, origin, report)
    _check_controls(report.prompts, origin, report)
    _check_demos(report.prompts, origin, demo_names, report)
    _check_complete([p for p in report.prompts if p.id in seed], report.prompts, origin, report)
    _list_waiting(report.prompts, origin, report)
    _list_drafted(report.prompts, origin, report)
    return report


def _files(paths: Sequence[Path], report: CheckReport) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(path.rglob("*.yaml"))
            report.notes += [
                f"{other}: ignored; bank files end in .yaml"
                for other in sorted(path.rglob("*.yml"))
            ]
            if not files:
                report.errors.append(BankError(str(path), "folder_no_banks"))
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            report.errors.append(BankError(str(path), "path_missing"))
    return found


def _parse(path: Path, raw: object, report: CheckReport) -> _Parsed:
    """Validate one file's mapping; on schema errors keep the prompts that are valid on their
    own, so the cross-file checks still run and a broken parent does not also break its
    follow-ups."""
    if not isinstance(raw, dict):
        got = "empty" if raw is None else "list" if isinstance(raw, list) else "value"
        report.errors.append(BankError(str(path), f"bank_top_{got}"))
        return _Parsed([], set())
    raw_prompts = raw.get("prompts")
    items: list[Any] = raw_prompts if isinstance(raw_prompts, list) else []
    declared = {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }
    seed = rules_context(raw)["rules"] == "seed"
    try:
        return _Parsed(list(parse_bank_file(raw).prompts), declared, seed)
    except ValidationError as exc:
        report.errors.extend(validation_errors(path, raw, exc))
    valid: list[Prompt] = []
    for item in items:
        try:
            valid.append(Prompt.model_validate(item, context=rules_context(raw)))
        except ValidationError:
            continue
    return _Parsed(valid, declared, seed)


def _check_links(
    prompts: list[Prompt], origin: dict[str, Path], declared: set[str], report: CheckReport
) -> None:
    orders: dict[tuple[str, int], str] = {}
    for prompt in prompts:
        if prompt.parent is None:
            continue
        where = str(origin[prompt.id])
        if prompt.parent == prompt.id:
            report.errors.append(
                BankError(where, "parent_self", prompt_id=prompt.id, field="parent")
            )
        elif prompt.parent not in declared:
            report.errors.append(
                BankError(
                    where,
                    "parent_unknown",
                    {"parent": prompt.parent},
                    prompt_id=prompt.id,
                    field="parent",
                )
            )
        key = (prompt.parent, prompt.order)
        if key in orders:
            report.errors.append(
                BankError(
                    where,
                    "order_taken",
                    {"order": prompt.order, "other": orders[key], "parent": prompt.parent},
                    prompt_id=prompt.id,
                    field="order",
                )
            )
        else:
            orders[key] = prompt.id


def _check_wordings(prompts: list[Prompt], origin: dict[str, Path], report: CheckReport) -> None:
    owner: dict[str, str] = {}
    for prompt in prompts:
        for name, text in _wordings(prompt):
            key = normalize_question(text)
            first = owner.setdefault(key, prompt.id) if key else prompt.id
            if first != prompt.id:
                report.errors.append(
                    BankError(
                        str(origin[prompt.id]),
                        "wording_taken",
                        {"other": first},
                        prompt_id=prompt.id,
                        field=name,
                    )
                )


def _wordings(prompt: Prompt) -> Iterable[tuple[str, str]]:
    yield "text.ko", prompt.text.ko
    yield "text.en", prompt.text.en
    for index, alias in enumerate(prompt.aliases):
        yield f"aliases.{index}", alias


def _check_blanks(prompts: list[Prompt], origin: dict[str, Path], report: CheckReport) -> None:
    """The schema's min_length lets text of spaces or zero-width marks through; a topic or
    answer that shows nothing (`content.text_rule.visible`) is blank."""
    for prompt in prompts:
        for name, text in _texts(prompt):
            if not visible(text):
                report.errors.append(
                    BankError(str(origin[prompt.id]), "blank", prompt_id=prompt.id, field=name)
                )


def _check_controls(prompts: list[Prompt], origin: dict[str, Path], report: CheckReport) -> None:
    """Text that came in from outside never holds what the text rule removes (control and bidi
    characters, `content.text_rule`); a bank edited by hand, or written by an older import,
    may."""
    for prompt in prompts:
        for name, text in _texts(prompt):
            if found := removed_controls(text):
                report.errors.append(
                    BankError(
                        str(origin[prompt.id]),
                        "controls_many" if len(found) > 1 else "controls_one",
                        {"chars": ", ".join(found)},
                        prompt_id=prompt.id,
                        field=name,
                    )
                )


def _texts(prompt: Prompt) -> Iterable[tuple[str, str]]:
    yield from _wordings(prompt)
    yield from ((f"topics.{i}", topic) for i, topic in enumerate(prompt.topics))
    yield from ((f"references.{i}.text", r.text) for i, r in enumerate(prompt.references))
    yield from ((f"misconceptions.{i}.text", m.text) for i, m in enumerate(prompt.misconceptions))
    for i, concept in enumerate(prompt.concepts):
        yield f"concepts.{i}.ko", concept.ko
        yield f"concepts.{i}.en", concept.en
        yield from ((f"concepts.{i}.synonyms.{j}", s) for j, s in enumerate(concept.synonyms))
    if prompt.guidance is not None:
        yield "guidance.ko", prompt.guidance.ko
        yield "guidance.en", prompt.guidance.en


def _check_demos(
    prompts: list[Prompt], origin: dict[str, Path], demo_names: DemoNames, report: CheckReport
) -> None:
    named = [p for p in prompts if p.demos or p.figure_demo]
    if not named:
        return
    known = set(demo_names())
    if not known:
        report.notes.append("the demo catalog is empty: demo names were not checked")
        return
    listing = ", ".join(sorted(known))
    for prompt in named:
        where = str(origin[prompt.id])
        for index, name in enumerate(prompt.demos):
            if name not in known:
                report.errors.append(
                    BankError(
                        where,
                        "demo_unknown",
                        {"name": name, "known": listing},
                        prompt_id=prompt.id,
                        field=f"demos.{index}",
                    )
                )
        if prompt.figure_demo is not None and prompt.figure_demo not in known:
            report.errors.append(
                BankError(
                    where,
                    "demo_unknown",
                    {"name": prompt.figure_demo, "known": listing},
                    prompt_id=prompt.id,
                    field="figure_demo",
                )
            )


def complete(prompt: Prompt, followups: int) -> bool:
    """A main question a study group can be given for months: a graded one with at least
    `MIN_MAIN_CONCEPTS` key concepts (its model answers in both languages the seed rules already
    ask) and at least `MIN_FOLLOWUPS` follow-ups to ask once it is answered. An opinion prompt
    (`kind: open`) has no right answer to be complete about."""
    return prompt.kind == "open" or (
        len(prompt.concepts) >= MIN_MAIN_CONCEPTS and followups >= MIN_FOLLOWUPS
    )


def _check_complete(
    seed: list[Prompt], prompts: list[Prompt], origin: dict[str, Path], report: CheckReport
) -> None:
    """Each main question of a shipped bank (`rules: seed`) is complete (`complete`)."""
    followups = Counter(p.parent for p in prompts if p.parent is not None)
    for prompt in seed:
        if prompt.parent is not None or complete(prompt, followups[prompt.id]):
            continue
        where = str(origin[prompt.id])
        if len(prompt.concepts) < MIN_MAIN_CONCEPTS:
            report.errors.append(
                BankError(
                    where,
                    "main_few_concepts",
                    {"needed": MIN_MAIN_CONCEPTS, "has": len(prompt.concepts)},
                    prompt_id=prompt.id,
                    field="concepts",
                )
            )
        if followups[prompt.id] < MIN_FOLLOWUPS:
            report.errors.append(
                BankError(
                    where,
                    "main_few_followups",
                    {"needed": MIN_FOLLOWUPS, "has": followups[prompt.id], "id": prompt.id},
                    prompt_id=prompt.id,
                )
            )


def _list_waiting(prompts: list[Prompt], origin: dict[str, Path], report: CheckReport) -> None:
    waiting = {p.id for p in prompts if p.status == "waiting"}
    for prompt in prompts:
        if prompt.id in waiting:
            todo = _what_to_add(prompt)
        elif prompt.parent in waiting:
            todo = "waiting_main"
        else:
            continue
        where = f" ({prompt.source})" if prompt.source else ""
        values = {"question": f'"{preview(prompt.text.ko)}"{where}', "parent": prompt.parent}
        report.waiting.append(BankError(str(origin[prompt.id]), todo, values, prompt_id=prompt.id))


def _list_drafted(prompts: list[Prompt], origin: dict[str, Path], report: CheckReport) -> None:
    for prompt in prompts:
        drafted = [c for c in prompt.concepts if c.drafted]
        if drafted:
            listed = ", ".join(map(_named, drafted))
            report.drafted.append(
                BankError(
                    str(origin[prompt.id]),
                    "drafted",
                    {"concepts": listed},
                    prompt_id=prompt.id,
                    field="concepts",
                )
            )


def _named(concept: Concept) -> str:
    """`id (label / other label)`, each label once and only where the id does not spell it."""
    labels = [label for label in dict.fromkeys((concept.ko, concept.en)) if label != concept.id]
    return f"{concept.id} ({' / '.join(labels)})" if labels else concept.id


def _what_to_add(prompt: Prompt) -> str:
    """The bank catalogue's message saying what a waiting prompt lacks."""
    if prompt.kind == "graded" and not prompt.references:
        return "waiting_answer"
    if prompt.kind == "open" and prompt.guidance is None:
        return "waiting_guidance"
    return "waiting_ready"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def readiness(prompts: Sequence[Prompt]) -> str:
    """How many prompts there are and how many of them the bot posts: the words of both the
    import's last line and the check's total, so the two never disagree (issue 83: the import
    said "4 graded prompts (1 waiting)" of notes the check then called "complete 0 (0%)"). A
    follow-up of a waiting main question waits with it."""
    waiting = {p.id for p in prompts if p.status == "waiting"}
    held = sum(p.id in waiting or p.parent in waiting for p in prompts)
    noun = "prompt" if len(prompts) == 1 else "prompts"
    said = f"{len(prompts)} {noun}, {len(prompts) - held} ready to post"
    return said + (f", {held} waiting for a model answer" if held else "")


def summary_lines(prompts: Sequence[Prompt], subjects: Mapping[str, str]) -> list[str]:
    """Main questions and how many are complete, counts by kind, by topic, main questions by
    subject (`subjects`: prompt id -> its file's `bank:` name) and by reference language, then
    the total."""

    def line(title: str, counts: Counter[str]) -> str:
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return f"{title}: " + (", ".join(f"{name} {n}" for name, n in items) or "none")

    followups = Counter(p.parent for p in prompts if p.parent is not None)
    mains = [p for p in prompts if p.parent is None]
    whole = sum(complete(p, followups[p.id]) for p in mains)
    mistaken = sum(bool(p.misconceptions) for p in mains if p.kind == "graded")
    graded_mains = sum(p.kind == "graded" for p in mains)
    return [
        f"main questions: {len(mains)}, complete {whole} ({_share(whole, len(mains))}: "
        f"{MIN_MAIN_CONCEPTS}+ key concepts and {MIN_FOLLOWUPS}+ follow-ups, as a shipped bank "
        f"needs), with a misconception {mistaken} of {graded_mains} graded",
        line("by kind", Counter(p.kind for p in prompts)),
        line("by topic", Counter(t for p in prompts for t in p.topics)),
        line(
            "by subject",
            Counter(subjects.get(p.id, "?") for p in prompts if p.parent is None),
        ),
        line("references by language", Counter(r.lang for p in prompts for r in p.references)),
        f"total: {readiness(prompts)}",
    ]
