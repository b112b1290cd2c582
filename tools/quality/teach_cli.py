"""`quizmaster eval teach ...`: which answers a team should grade (`--ask K`), what grading the
rest with those grades as evidence gives on a graded file (`--measure 1,3,5`), and the kernel's
fit for the model in use on the dev set's tuning part (`--fit`, also run by `eval fit`): stored
in that model's calibration, since a kernel's width is in the model's own cosine units."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace
from pathlib import Path

from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators.embedding.identity import identify
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.metrics import Metrics
from evaluators.fitting.rows import HarnessError, read_rows, resolve_prompts
from evaluators.fitting.store import cache_path
from evaluators.model_settings import ModelSettings
from evaluators.taught import DEFAULT_KERNEL
from tools.fitting.teach import by_prompt, choose, read_answers
from tools.quality.agreement import correlations, figures
from tools.quality.teach_replay import KernelFit, fit_kernel, grade_alone, pick_vectors, replay

USAGE = """\
usage: quizmaster eval teach ANSWERS.jsonl --ask K --out ASK.jsonl [--ask-random SEED]
                                           [--bank PATH ...] [--as-bank]
       quizmaster eval teach GRADED.jsonl --measure 1,3,5,10 [--ask-random SEED]
                                          [--bank PATH ...] [--as-bank] [--json]
       quizmaster eval teach --fit [--dev FILE] [--out CALIBRATION.json] [--json]"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizmaster eval teach", usage=USAGE)
    parser.add_argument("file", type=Path, nargs="?")
    parser.add_argument("--bank", type=Path, nargs="*", default=[], help="extra bank files/folders")
    parser.add_argument(
        "--as-bank", action="store_true", help="rows with their own reference as one team bank"
    )
    parser.add_argument("--ask", type=int, metavar="K", help="answers to ask about per question")
    parser.add_argument(
        "--out",
        type=Path,
        help="where --ask writes its answers; where --fit writes the calibration with the kernel "
        "(default: the model's file in the cache dir, where the bot looks first)",
    )
    parser.add_argument(
        "--ask-random", type=int, metavar="SEED", help="pick at random (the baseline)"
    )
    parser.add_argument(
        "--measure", metavar="K,K,...", help="replay the protocol on a graded file for each K"
    )
    parser.add_argument(
        "--fit", action="store_true", help="fit the kernel on the dev set's tuning part"
    )
    parser.add_argument("--dev", type=Path, default=DEV_SET_PATH)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    return parser


def _bank(extra: list[Path], *, as_bank: bool, needed: bool) -> Bank | None:
    return load_bank([DEFAULT_BANK_DIR, *extra]) if needed or as_bank else None


def _ask(args: argparse.Namespace, settings: ModelSettings) -> int:
    if args.out is None:
        raise HarnessError("--ask needs --out ASK.jsonl")
    if args.ask < 1:
        raise HarnessError("--ask K needs K of at least 1")
    answers = read_answers(args.file)
    bank = _bank(args.bank, as_bank=args.as_bank, needed=any(a.reference is None for a in answers))
    prompts = resolve_prompts(answers, bank)
    vectors = pick_vectors(settings.embedder(), [a.answer for a in answers])
    chosen = choose(prompts, vectors, args.ask, seed=args.ask_random)
    try:
        args.out.write_text("".join(answers[i].line + "\n" for i in chosen), encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"{args.out}: cannot write ({exc.strerror})") from None
    rule = "at random" if args.ask_random is not None else "representatives"
    print(
        f"wrote {len(chosen)} answers to {len({p.id for p in prompts})} questions ({rule}, up to "
        f"{args.ask} each) to {args.out}: give each a score and score_max, then run "
        f"`quizmaster eval {args.file}{' --as-bank' if args.as_bank else ''} --taught {args.out}`"
    )
    return 0


def _print(label: str, m: Metrics) -> None:
    print(f"{label}: n={m.n} {correlations(m)} rmse={m.rmse:.3f} bias={m.bias:+.1f}")


def _measure(args: argparse.Namespace, settings: ModelSettings) -> int:
    try:
        ks = [int(k) for k in args.measure.split(",")]
    except ValueError:
        raise HarnessError(
            f"--measure takes K,K,... (whole numbers), not {args.measure!r}"
        ) from None
    if min(ks) < 0:
        raise HarnessError("--measure takes K of 0 or more")
    rows = read_rows(args.file)
    bank = _bank(args.bank, as_bank=args.as_bank, needed=any(r.reference is None for r in rows))
    most = max(len(answers) for answers in by_prompt(resolve_prompts(rows, bank)).values())
    if max(ks) >= most:
        raise HarnessError(
            f"--measure {max(ks)} teaches every answer of {args.file} (a question there has at"
            f" most {most}), leaving none to measure; take K below {most}"
        )
    grader = settings.grader()
    kernel = grader.calibration.team_kernel or DEFAULT_KERNEL
    graded = asyncio.run(grade_alone(grader, rows, bank, as_bank=args.as_bank, cv=False))
    rules: dict[str, int | None] = {"representatives": None}
    if args.ask_random is not None:
        rules[f"random (seed {args.ask_random})"] = args.ask_random
    summary: dict[str, object] = {"tau": kernel.tau, "lambda": kernel.lam}
    for rule, seed in rules.items():
        for k in ks:
            run = replay(graded, k, kernel, seed=seed)
            if not run.untaught:
                raise HarnessError(
                    f"--measure {k} leaves no answer of {args.file} untaught (the others repeat"
                    " the taught ones word for word); take a smaller K"
                )
            label = f"K={k} {rule}, {run.taught} taught; the other answers"
            _print(f"{label}, grader alone", run.alone)
            _print(f"{label}, with team evidence", run.with_evidence)
            summary[f"{rule} K={k}"] = {
                "taught": run.taught,
                "alone": figures(run.alone),
                "with_evidence": figures(run.with_evidence),
            }
    if args.json:
        print(json.dumps(summary))
    return 0


def fit_team_kernel(settings: ModelSettings, dev: Path) -> KernelFit:
    """The kernel fitted for the model in use on `dev`'s tuning part, out-of-fold; also run by
    `quizmaster eval fit`, whose calibration carries it."""
    rows = read_rows(dev)
    bank = _bank([], as_bank=False, needed=True)
    graded = asyncio.run(grade_alone(settings.grader(), rows, bank, as_bank=False, cv=True))
    fitted = fit_kernel(graded)
    print(
        f"team kernel, {dev.name} tuning part ({len(graded.rows)} answers, out-of-fold grades): "
        f"tau={fitted.kernel.tau} lambda={fitted.kernel.lam} mse={fitted.mse:.1f}; "
        f"grader alone mse={fitted.alone_mse:.1f}"
    )
    return fitted


def _fit(args: argparse.Namespace, settings: ModelSettings) -> int:
    grader = settings.grader()
    in_use = grader.calibration
    fitted = fit_team_kernel(settings, args.dev)
    out = args.out or cache_path(settings.cache_dir, identify(grader.embedder))
    try:
        replace(in_use, team_kernel=fitted.kernel).save(out)
    except OSError as exc:
        raise HarnessError(f"{out}: cannot write ({exc.strerror})") from None
    was = in_use.team_kernel or DEFAULT_KERNEL
    print(
        f"wrote {out}: the calibration in use ({grader.calibration_source}) with this kernel "
        f"(was tau={was.tau} lambda={was.lam})"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "tau": fitted.kernel.tau,
                    "lambda": fitted.kernel.lam,
                    "mse": fitted.mse,
                    "alone_mse": fitted.alone_mse,
                }
            )
        )
    return 0


def main(argv: list[str], settings: ModelSettings) -> int:
    """`quizmaster eval teach`; `HarnessError`s are printed by `quizmaster eval`."""
    args = _parser().parse_args(argv)
    if args.fit:
        return _fit(args, settings)
    if args.file is None:
        raise HarnessError("eval teach needs an answers file (or --fit)")
    if args.ask is not None:
        return _ask(args, settings)
    if args.measure is not None:
        return _measure(args, settings)
    raise HarnessError("eval teach needs --ask K --out ASK.jsonl, --measure K,K,... or --fit")
