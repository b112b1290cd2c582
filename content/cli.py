"""`quizmaster content ...`: check banks and import question lists from other tools.

Every problem a user can cause (a bad file, a bad argument) ends as one line naming the file and,
where it has one, the prompt and field, plus the command to run next; never as a traceback.
The command line speaks English only: it prints each problem's English line (`str(BankError)`,
from the bank's catalogue), and the model check's findings (`--model`) are the harness's own
English sentences, passed through as they are (`model_finding`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from content.check import DemoNames, check_banks, check_beside, readiness, summary_lines
from content.importers.concept_draft import draft_missing_concepts
from content.importers.csv_table import import_csv
from content.importers.imported_bank import (
    BankImportError,
    Imported,
    OutputError,
    bank_slug,
    check_output,
    write_bank,
)
from content.importers.notes import import_notes
from content.importers.red_trivia import import_red_trivia
from content.loader import DEFAULT_BANK_DIR, BankError
from content.schema import Prompt


class Importer(Protocol):
    """Converts one source file into a bank named `bank` (default: after the file)."""

    def __call__(self, path: Path, *, bank: str | None = None) -> Imported: ...


IMPORTERS: dict[str, tuple[Importer, str]] = {
    "red-trivia": (import_red_trivia, "a Red-DiscordBot trivia list (YAML)"),
    "csv": (import_csv, "a CSV table with columns question, answer[, concepts]"),
    "notes": (import_notes, "study notes: `1. question` + `A.` lists or `## question` + `Answer:`"),
}
DRAFTS_BY_DEFAULT = {"notes": True, "csv": False}
"""Formats whose import can draft key concepts from each model answer (`concept_draft`), and
whether it does unless told: notes name few concepts; a CSV table keeps what its columns say."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizmaster content", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check", help="validate bank files and print counts by kind, topic and language"
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="bank files or folders (default: the packaged banks and QUIZMASTER_BANK_DIR)",
    )
    check.add_argument(
        "--model",
        action="store_true",
        help="also grade the bank with the model the bot grades with: near-duplicate main "
        "questions, model answers and misconceptions graded against their own question (about "
        "five minutes for the default banks on two cores)",
    )
    imports = commands.add_parser("import", help="convert another tool's question list")
    formats = imports.add_subparsers(dest="format", required=True, metavar="FORMAT")
    for name, (_, summary) in IMPORTERS.items():
        fmt = formats.add_parser(name, help=f"import {summary}")
        fmt.add_argument("file", type=Path, metavar="FILE")
        fmt.add_argument("--out", type=Path, help="bank file to write (default: ./BANK.yaml)")
        fmt.add_argument("--bank", help="bank name and id prefix (default: the file's name)")
        fmt.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
        fmt.set_defaults(draft_concepts=DRAFTS_BY_DEFAULT.get(name, False))
        if DRAFTS_BY_DEFAULT.get(name):
            fmt.add_argument(
                "--no-draft-concepts",
                dest="draft_concepts",
                action="store_false",
                help="leave prompts without `Keyword:` lines without key concepts",
            )
        elif name in DRAFTS_BY_DEFAULT:
            fmt.add_argument(
                "--draft-concepts",
                action="store_true",
                help="draft key concepts from the answer of each row without concepts",
            )
    return parser


KeptAnswers = Callable[[], Mapping[str, int]]
"""The answers kept per open question (prompt id), from the bot's database."""
ModelCheck = Callable[[Sequence[Prompt]], Sequence[tuple[str, str, str]]]
"""What the model says of the prompts checked: (prompt id, field, what to do) for each
disagreement (`tools.quality.bank_consistency`); the bot composes it, since content knows
no grader."""


def main(
    argv: list[str],
    *,
    demo_names: DemoNames,
    bank_dir: Path | None = None,
    kept_answers: KeptAnswers | None = None,
    model_check: ModelCheck | None = None,
) -> int:
    """`quizmaster content ARGS`; `demo_names` gives the demos a bank may name (called only
    when one names a demo), `bank_dir` is the team bank folder checked beside the packaged banks
    when no PATH is given (QUIZMASTER_BANK_DIR in the bot) and that an import must not collide
    with, `kept_answers` the answers kept per open question in the bot's database (called only
    when a prompt waits)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help already
        return exc.code if isinstance(exc.code, int) else 2
    if args.command == "check":
        default = [DEFAULT_BANK_DIR, *([bank_dir] if bank_dir else [])]
        model = model_check if args.model else None
        return _check(args.paths or default, demo_names, kept_answers, model)
    return _import(
        args.format,
        args.file,
        out=args.out,
        bank=args.bank,
        force=args.force,
        draft=args.draft_concepts,
        bank_dir=bank_dir,
    )


def _check(
    paths: list[Path],
    demo_names: DemoNames,
    kept_answers: KeptAnswers | None,
    model_check: ModelCheck | None,
) -> int:
    report = check_banks(paths, demo_names=demo_names)
    if report.ok and model_check is not None:
        print(
            f"grading the {len(report.prompts)} prompts' model answers and misconceptions with "
            "the model",
            file=sys.stderr,
        )
        report.errors += [
            BankError(
                str(report.origin[prompt_id]),
                "model_finding",
                {"finding": message},
                prompt_id=prompt_id,
                field=field,
            )
            for prompt_id, field, message in model_check(report.prompts)
        ]
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if not report.ok:
        for error in report.errors:
            print(error, file=sys.stderr)
        count = len(report.errors)
        print(
            f"{count} problem{'s' * (count != 1)} found; fix them and run "
            "`quizmaster content check` again",
            file=sys.stderr,
        )
        return 1
    files = len(report.files)
    print(f"checked {files} file{'s' * (files != 1)}")
    for line in summary_lines(report.prompts, report.subjects):
        print(f"  {line}")
    if report.drafted:
        count = len(report.drafted)
        print(f"{count} prompt{'s' * (count != 1)} with drafted key concepts to review:")
        for drafted in report.drafted:
            print(f"  {drafted}")
    if report.waiting:
        print(f"{len(report.waiting)} not posted yet, until each has what it lacks:")
        kept = kept_answers() if kept_answers is not None else {}
        for waiting in report.waiting:
            count = kept.get(waiting.prompt_id or "", 0)
            answers = f" ({count} answer{'s' * (count != 1)} kept as an open question)"
            print(f"  {waiting}{answers if count else ''}")
    return 0


def _import(
    fmt: str,
    file: Path,
    *,
    out: Path | None,
    bank: str | None,
    force: bool,
    draft: bool,
    bank_dir: Path | None,
) -> int:
    """Convert `file` and write its bank, refused (exit 2, nothing written) when the source has
    a problem, `out` cannot take it, or it collides with the bank files the bot would load it
    with: the packaged banks, `bank_dir` and the other bank files in `out`'s folder."""
    convert, _ = IMPORTERS[fmt]
    fix = "--out" if out is not None else "the target: name a bank file with --out"
    try:
        if out is not None:
            check_output(out, force=force, suggested=f"{bank_slug(bank or file.stem)}.yaml")
        imported = convert(file, bank=bank)
        if draft:
            imported = replace(imported, bank_file=draft_missing_concepts(imported.bank_file))
        target = out or Path(f"{bank_slug(imported.bank_file.bank)}.yaml")
        if target.resolve() == file.resolve():
            print(f"{target}: is the source file; choose another --out", file=sys.stderr)
            return 2
        beside = [DEFAULT_BANK_DIR, *([bank_dir] if bank_dir else [])]
        beside += sorted(target.parent.glob("*.yaml"))
        if collisions := check_beside(imported.bank_file, target, beside):
            raise BankImportError(collisions)
        write_bank(imported.bank_file, target, force=force)
    except OutputError as exc:
        return _refused(exc.problems, fix)
    except BankImportError as exc:
        return _refused(exc.problems, str(file))
    for note in imported.notes:
        print(f"note: {note}", file=sys.stderr)
    drafted = sum(any(c.drafted for c in p.concepts) for p in imported.bank_file.prompts)
    if drafted:
        print(
            f"note: key concepts drafted from the model answer for {drafted} "
            f"prompt{'s' * (drafted != 1)}; review them (`quizmaster content check` lists them)"
            + (" or import with --no-draft-concepts" if fmt == "notes" else ""),
            file=sys.stderr,
        )
    counted = readiness(imported.bank_file.prompts)
    print(f"wrote {counted} to {target}; run `quizmaster content check {target}`")
    return 0


def _refused(problems: Sequence[BankError], culprit: str) -> int:
    """Print each problem and what to fix (the source file, or --out); the exit status 2."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"nothing written; fix {culprit} and run the import again", file=sys.stderr)
    return 2
