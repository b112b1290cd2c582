"""`quizmaster eval ...`: measure the grader on human-graded answers, cross-validate and refit its
calibration, and check the loaded model on KorSTS."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from content.bank import Bank
from content.loader import DEFAULT_BANK_DIR, BankError, load_bank
from evaluators.calibration import CALIBRATION_DIR, CALIBRATION_PATH, Calibration, Head
from evaluators.embedder import BUNDLED_MODEL_NAME
from evaluators.harness import (
    HarnessError,
    Metrics,
    Row,
    Sample,
    collect,
    cross_validate,
    fit,
    grade_rows,
    metrics,
    read_rows,
    resolve_prompts,
)
from evaluators.service import EmbeddingGrader, create_grader

if TYPE_CHECKING:
    from bot.config import Settings

logger = logging.getLogger("quizmaster.evaluators")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEV_SET = REPO_ROOT / "tests" / "data" / "graded_dev.jsonl"
DEFAULT_MOHLER = REPO_ROOT.parent / "shared" / "data" / "mohler_dev.jsonl"
USAGE = """\
usage: quizmaster eval FILE.jsonl [--json] [--cv] [--bank PATH ...]
       quizmaster eval fit [--dev FILE] [--mohler FILE] [--json]
       quizmaster eval korsts FILE.jsonl [--json] [--limit N]"""


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"quizmaster eval {prog}".strip(), usage=USAGE)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    return parser


def _print_metrics(label: str, m: Metrics) -> None:
    print(
        f"{label}: n={m.n} pearson={m.pearson:.3f} spearman={m.spearman:.3f} "
        f"rmse={m.rmse:.3f} ms/answer={m.ms_per_answer:.1f}"
    )


def _load_bank(extra: Sequence[Path]) -> Bank:
    return load_bank([DEFAULT_BANK_DIR, *extra])


def _needs_bank(rows: Sequence[Row]) -> bool:
    return any(r.reference is None for r in rows)


def _grader(settings: Settings) -> EmbeddingGrader:
    return create_grader(
        model_name=settings.embedding_model,
        device=settings.embedding_device,
        cache_dir=settings.cache_dir,
        embedding_url=settings.embedding_url,
        embedding_token=settings.embedding_token,
        embedding_prefix=settings.embedding_prefix,
        embedding_timeout_s=settings.embedding_timeout_s,
    )


async def _evaluate(
    grader: EmbeddingGrader, rows: list[Row], bank: Bank | None, cv: bool
) -> Metrics:
    prompts = resolve_prompts(rows, bank)
    if bank is not None:
        await grader.prepare(bank)
    try:
        if cv:
            start = time.perf_counter()
            samples = await collect(grader, rows, prompts)
            measured = time.perf_counter() - start
            result, _ = cross_validate(samples)
            return Metrics(
                result.n, result.pearson, result.spearman, result.rmse, 1000 * measured / len(rows)
            )
        predicted, elapsed = await grade_rows(grader, rows, prompts)
        return metrics(predicted, rows, elapsed)
    finally:
        await grader.aclose()


def _run_eval(argv: list[str], settings: Settings) -> int:
    parser = _parser("")
    parser.add_argument("file", type=Path)
    parser.add_argument("--bank", type=Path, nargs="*", default=[], help="extra bank files/folders")
    parser.add_argument("--cv", action="store_true", help="cross-validate calibration by question")
    args = parser.parse_args(argv)
    rows = read_rows(args.file)
    bank = _load_bank(args.bank) if _needs_bank(rows) else None
    result = asyncio.run(_evaluate(_grader(settings), rows, bank, args.cv))
    _print_metrics("cross-validated by question" if args.cv else "graded", result)
    if args.json:
        print(json.dumps(result.as_dict()))
    return 0


async def _collect_file(grader: EmbeddingGrader, path: Path, bank: Bank | None) -> list[Sample]:
    rows = read_rows(path)
    prompts = resolve_prompts(rows, bank)
    return await collect(grader, rows, prompts)


def _run_fit(argv: list[str], settings: Settings) -> int:
    parser = _parser("fit")
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV_SET)
    parser.add_argument("--mohler", type=Path, default=DEFAULT_MOHLER)
    parser.add_argument("--out", type=Path, help="default: the calibration file of the model")
    args = parser.parse_args(argv)
    grader = _grader(settings)
    current = grader.calibration
    bank = _load_bank([])

    async def gather() -> tuple[list[Sample], list[Sample] | None]:
        try:
            await grader.prepare(bank)
            dev = await _collect_file(grader, args.dev, bank)
            external = (
                await _collect_file(grader, args.mohler, None) if args.mohler.is_file() else None
            )
            return dev, external
        finally:
            await grader.aclose()

    dev, external = asyncio.run(gather())
    heads: dict[str, Head] = {"concepts": fit(dev)}
    report: dict[str, dict[str, float | int]] = {}
    dev_cv, _ = cross_validate(dev)
    _print_metrics(f"dev set {args.dev.name}, cross-validated by question", dev_cv)
    report["dev"] = dev_cv.as_dict()
    if external is not None:
        heads["reference_only"] = fit(external)
        ext_cv, _ = cross_validate(external)
        _print_metrics(f"{args.mohler.name}, cross-validated by question", ext_cv)
        report["reference_only"] = ext_cv.as_dict()
    elif "reference_only" in current.heads:
        print(f"{args.mohler} not found: keeping the current reference_only head")
        heads["reference_only"] = current.heads["reference_only"]
    calibration = Calibration(
        heads=heads,
        fitted_on={
            "model": grader.embedder.name,
            "dev": args.dev.name,
            "external": args.mohler.name if external is not None else None,
            "cv_by_question": report,
        },
    )
    out = args.out or (
        CALIBRATION_PATH
        if grader.embedder.name == BUNDLED_MODEL_NAME
        else CALIBRATION_DIR / f"calibration-{grader.embedder.cache_key}.json"
    )
    calibration.save(out)
    print(f"wrote {out}")
    if args.json:
        print(json.dumps(report))
    return 0


def _run_korsts(argv: list[str], settings: Settings) -> int:
    import numpy as np
    from scipy.stats import spearmanr

    parser = _parser("korsts")
    parser.add_argument("file", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="first N pairs only")
    args = parser.parse_args(argv)
    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
        pairs = [json.loads(line) for line in lines if line.strip()]
        if args.limit:
            pairs = pairs[: args.limit]
        s1 = [str(p["s1"]) for p in pairs]
        s2 = [str(p["s2"]) for p in pairs]
        gold = [float(p["score"]) for p in pairs]
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise HarnessError(f"{args.file}: {exc}") from None
    embedder = _grader(settings).embedder
    start = time.perf_counter()
    a, b = embedder.encode(s1), embedder.encode(s2)
    elapsed = time.perf_counter() - start
    cosine = np.sum(a * b, axis=1)
    rho = float(spearmanr(cosine, gold)[0])
    print(
        f"KorSTS {args.file.name}: n={len(pairs)} model={embedder.name} cosine spearman={rho:.3f} "
        f"ms/pair={1000 * elapsed / max(1, len(pairs)):.1f}"
    )
    if args.json:
        print(json.dumps({"n": len(pairs), "model": embedder.name, "spearman": round(rho, 4)}))
    return 0


def main(argv: list[str], settings: Settings) -> int:
    """Entry point for `quizmaster eval`; returns the process exit status."""
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    command = {"fit": _run_fit, "korsts": _run_korsts}.get(argv[0])
    try:
        if command is not None:
            return command(argv[1:], settings)
        return _run_eval(argv, settings)
    except (HarnessError, BankError) as exc:
        print(f"quizmaster eval: {exc}", file=sys.stderr)
        return 1
