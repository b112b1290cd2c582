"""`quizmaster grade PROMPT_ID "answer"`: grade one answer with the configured model and
calibration, each covered concept with the passage of the answer that names it, and with
`--explain` show why: each feature's value and contribution, the head and its link, and every
guardrail or cap that fired."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from content.answer_script import unread_script
from content.bank import Bank
from content.loader import BankError, load_bank
from content.schema import Lang, Prompt
from content.text_rule import visible
from evaluators.embedding.vectors import EmbeddingUnavailableError
from evaluators.fitting.rows import HarnessError, read_rows
from evaluators.model_settings import ModelSettings
from evaluators.reading.language import answer_language
from evaluators.rules.off_topic import RIGHT_HERE
from evaluators.scoring import Scored
from evaluators.service import EmbeddingGrader
from evaluators.taught import TeamGrade
from tools.fitting.teach import team_grades

USAGE = (
    'quizmaster grade PROMPT_ID "answer text" [--lang ko|en] [--bank PATH ...] '
    "[--taught GRADES.jsonl] [--explain] [--json]"
)


class GradeError(Exception):
    """A mistake a person can fix (an unknown prompt id); printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizmaster grade", usage=USAGE)
    parser.add_argument("prompt_id", help="a prompt's id, as `quizmaster content` lists them")
    parser.add_argument("answer", help="the answer to grade")
    parser.add_argument(
        "--lang", choices=("ko", "en"), help="feedback language (default: the answer's)"
    )
    parser.add_argument(
        "--bank", type=Path, nargs="*", default=[], help="extra bank files or folders"
    )
    parser.add_argument(
        "--explain", action="store_true", help="each feature's contribution, the head, the caps"
    )
    parser.add_argument(
        "--taught",
        type=Path,
        metavar="GRADES.jsonl",
        help="answers your team graded (eval's jsonl rows); those to this prompt are evidence",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    return parser


def _team_grades(path: Path, bank: Bank, prompt: Prompt) -> list[TeamGrade]:
    """The graded rows of `path` that answer `prompt`, as team grades."""
    try:
        rows = read_rows(path)
    except HarnessError as exc:
        raise GradeError(str(exc)) from None
    mine = [r for r in rows if r.reference is None and bank.find_by_text(r.question) == prompt]
    return team_grades(mine, [prompt] * len(mine)).get(prompt.id, [])


def _check_readable(answer: str) -> None:
    """Refuse an answer that shows nothing, or is in Japanese or Chinese, as the chat, practice
    and the web page do: the rule that refuses such a model answer
    (`content.text_rule.visible`) and the one of the languages the grader reads
    (`content.answer_script`), so no grade is printed that no member could get."""
    if not visible(answer):
        raise GradeError(
            "the answer shows no visible character (only spaces, zero-width or combining "
            "marks, unassigned or private-use characters); nothing was graded"
        )
    if unread_script(answer):
        raise GradeError(
            "the answer is in Japanese or Chinese (kana or Han characters, no Hangul); the "
            "grader reads answers in Korean and English only; nothing was graded"
        )


def _find(bank: Bank, prompt_id: str) -> Prompt:
    if prompt_id not in bank:
        raise GradeError(f"no prompt {prompt_id!r} in the bank ({len(bank)} prompts)")
    return bank.get(prompt_id)


async def _explain(
    grader: EmbeddingGrader,
    bank: Bank,
    prompt: Prompt,
    answer: str,
    lang: Lang,
    *,
    taught: Sequence[TeamGrade],
) -> Scored:
    try:
        await grader.prepare(bank)
        return await grader.explain(prompt, answer, lang=lang, taught=taught)
    finally:
        await grader.aclose()


def as_json(scored: Scored) -> dict[str, Any]:
    """The grade and its explanation as one object: `link(base + sum of the contributions)`
    times 100 is `raw`, the score before guardrails and caps."""
    return {**scored.explanation.as_json(), "feedback": scored.grade.feedback}


def _print(prompt: Prompt, scored: Scored, *, explain: bool) -> None:
    grade, why = scored.grade, scored.explanation
    print(f"{grade.score}/100 {grade.verdict.value}")
    if why.told.covered:
        shown = (
            f"{m.concept} {json.dumps(m.passage, ensure_ascii=False)}" for m in why.told.covered
        )
        print(f"covered: {', '.join(shown)}")
    if grade.missed:
        print(f"missed: {', '.join(grade.missed)}")
    if grade.unsure:
        print(f"not sure (told neither way): {', '.join(grade.unsure)}")
    if grade.feedback:
        print(f"feedback: {grade.feedback}")
    if not explain:
        return
    if why.head is None:
        print(f"decided by a guardrail or an open prompt: {why.raw}")
    else:
        print(f"head {why.head}, score = {why.link}(base + contributions) x 100 = {why.raw}")
        print(f"  {'base':<24}{'':>10}{why.base:>+10.3f}")
        ordered = sorted(why.features, key=lambda c: -abs(c.contribution))
        for c in ordered:
            print(f"  {c.name:<24}{c.value:>10.3f}{c.contribution:>+10.3f}")
    if why.told.covered:
        print("evidence:")
    for m in why.told.covered:
        at = ", ".join(f"{start}-{end}" for start, end in m.spans)
        print(f"  {m.concept}: {m.how} of {m.form!r} at characters {at}")
    if why.taught is not None:
        print(f"team evidence: {why.taught.describe()}")
    if why.sibling is not None:
        print(
            f"this answers {why.sibling.id} ({why.sibling.text.en!r}), a sibling question: "
            f"at least the fitted margin nearer its model answer than this prompt's"
        )
    if why.nearest_other is not None:
        other = why.nearest_other
        right = ""
        if not prompt.concepts and other.grade >= RIGHT_HERE:
            right = ": a right answer here too, so nearness to it is no sign of answering that one"
        print(
            f"nearest other question: {other.prompt.id} ({other.prompt.text.en!r}); "
            f"its model answer grades {other.grade} here{right}"
        )
    if why.no_evidence is not None:
        print(f"no evidence: {why.no_evidence}")
    fired = ", ".join(flag.value for flag in why.flags) or "none"
    print(f"flags: {fired}" + (f"; capped at {why.cap}" if why.cap is not None else ""))


def main(argv: Sequence[str], settings: ModelSettings, *, banks: Sequence[Path]) -> int:
    """Entry point for `quizmaster grade`, grading against `banks` (and any `--bank`) with the
    model `settings` name; returns the process exit status."""
    args = _parser().parse_args(list(argv))
    try:
        _check_readable(args.answer)
        bank = load_bank([*banks, *args.bank])
        prompt = _find(bank, args.prompt_id)
        taught = _team_grades(args.taught, bank, prompt) if args.taught is not None else []
    except (BankError, GradeError) as exc:
        print(f"quizmaster grade: {exc}", file=sys.stderr)
        return 1
    lang: Lang = args.lang or answer_language(args.answer)
    try:
        scored = asyncio.run(
            _explain(settings.grader(), bank, prompt, args.answer, lang, taught=taught)
        )
    except EmbeddingUnavailableError as exc:
        print(
            f"quizmaster grade: the embeddings server {settings.embedding_url} gave no vectors "
            f"({exc.reason}); nothing was graded. Start it (or check its address and token), "
            "or unset QUIZMASTER_EMBEDDING_URL to grade with the model in this process",
            file=sys.stderr,
        )
        return 2
    _print(prompt, scored, explain=args.explain)
    if args.json:
        print(json.dumps(as_json(scored), ensure_ascii=False))
    return 0
