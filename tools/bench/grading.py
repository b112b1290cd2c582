"""`bench grading`: the real grader under concurrent load against the bare model.

The grader adds guardrails, micro-batching, token alignment, calibration and feedback around one
encode. The reference is the least any grader must do, `embedder.encode` of the same texts, so the
ratio is the share of the model's own speed the grader keeps. With `--remote URL` the model is an
OpenAI-compatible server, and the reference is that server's raw `/embeddings` throughput on the
same texts, through the same client, in the same run. With `--taught N` every question graded
carries N answers its team graded, as evidence (`evaluators.taught`): each is measured once
before the clock, as a running bot holds them, and grading then weighs all N per answer.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.app import configured_grader, load_configured_bank, model_settings
from bot.config import Settings
from content.bank import Bank
from content.schema import Prompt
from evaluators import EmbeddingGrader
from evaluators.embedding.identity import identify
from evaluators.embedding.provenance import Provenance, provenance
from evaluators.embedding.vectors import EmbeddingModel
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows, resolve_prompts
from evaluators.references import warm_morphology
from evaluators.taught import TeamGrade
from tools.bench.table import Outcome, percentile, report

THROUGHPUT_TARGET = 0.8
ROUNDS = 3
LATENCY_TARGET = 1.5


@dataclass(frozen=True)
class Sample:
    prompt: Prompt
    answer: str


def samples(bank: Bank, n: int, path: Path | None) -> tuple[list[Sample], str]:
    """Real answers from the graded file when it is there (the shipped dev set by default), else
    answers built from the bank's references. Repeats get a numbered suffix: the grader encodes each
    distinct text once per batch, and identical texts would flatter it."""
    if path is not None and path.is_file():
        rows = read_rows(path)
        base = [Sample(p, r.answer) for p, r in zip(resolve_prompts(rows, bank), rows, strict=True)]
        source = str(path)
    else:
        graded = [p for p in bank.all() if p.kind == "graded"]
        base = [Sample(p, ref.text) for p in graded for ref in p.references]
        source = "generated from bank references"
    picked = []
    for i in range(n):
        sample = base[i % len(base)]
        round_ = i // len(base)
        text = sample.answer if round_ == 0 else f"{sample.answer} ({round_})"
        picked.append(Sample(sample.prompt, text))
    return picked, source


@asynccontextmanager
async def prepared_grader(settings: Settings) -> AsyncIterator[tuple[Bank, EmbeddingGrader]]:
    """The configured bank and a grader with its references prepared, as the bot starts them."""
    bank = load_configured_bank(settings.game)
    grader = await asyncio.to_thread(configured_grader, settings)
    try:
        await grader.prepare(bank)
        await asyncio.to_thread(warm_morphology, bank)
        yield bank, grader
    finally:
        await grader.aclose()


Taught = dict[str, list[TeamGrade]]


def team_grades(batch: list[Sample], n: int) -> Taught:
    """N graded answers for each question of `batch`: its answers in the batch and its model
    answers, numbered apart, with grades spread over 0-100 (their values cost nothing)."""
    taught: Taught = {}
    for prompt in {s.prompt.id: s.prompt for s in batch}.values():
        texts = [s.answer for s in batch if s.prompt.id == prompt.id]
        texts += [r.text for r in prompt.references]
        taught[prompt.id] = [
            TeamGrade(prompt.id, f"{texts[i % len(texts)]} (graded {i})", (37 * i) % 101)
            for i in range(n)
        ]
    return taught


async def hold(grader: EmbeddingGrader, batch: list[Sample], taught: Taught) -> None:
    """Measure every graded answer once, as a bot that has graded them holds them."""
    prompts = {s.prompt.id: s.prompt for s in batch}
    await asyncio.gather(
        *(
            grader.team_evidence.held(prompts[pid], grades, grader.alone)
            for pid, grades in taught.items()
        )
    )


async def _grade_all(
    grader: EmbeddingGrader, answers: list[tuple[Prompt, str]], taught: Taught
) -> float:
    """Seconds to grade every answer at once, as a burst in a channel arrives."""
    start = time.perf_counter()
    await asyncio.gather(
        *(grader.grade(p, text, taught=taught.get(p.id, ())) for p, text in answers)
    )
    return time.perf_counter() - start


def _encode_all(embedder: EmbeddingModel, answers: list[tuple[Prompt, str]]) -> float:
    """Seconds for the bare model to encode the same texts in one call."""
    start = time.perf_counter()
    embedder.encode([text for _, text in answers])
    return time.perf_counter() - start


def graded_with(settings: Settings, embedder: EmbeddingModel) -> Provenance:
    """What graded in this run, as the bot's own model choice asked for it."""
    asked = model_settings(settings.grading)
    return provenance(embedder, identify(embedder), requested=asked.model, device=str(asked.device))


async def measure(
    settings: Settings,
    n: int,
    latency_n: int,
    path: Path | None,
    *,
    rounds: int = ROUNDS,
    taught_n: int = 0,
) -> Outcome:
    async with prepared_grader(settings) as (bank, grader):
        batch, source = samples(bank, n, path)
        embedder = grader.embedder
        found = await asyncio.to_thread(graded_with, settings, embedder)
        taught = team_grades(batch, taught_n) if taught_n else {}
        await hold(grader, batch, taught)
        # Warm both paths with one untimed burst each (first-call allocations, thread pools, the
        # model's kernels for each batch shape) so neither pays them in the timing.
        warm_up = [(s.prompt, f"{s.answer} warm-up") for s in batch]
        await _grade_all(grader, warm_up, taught)
        _encode_all(embedder, warm_up)

        ours_s = raw_s = 0.0
        round_ratios = []
        for index in range(rounds):
            # Fresh texts each round (the grader caches morphology by text), and the order
            # alternates, so drift in the machine's speed falls on both sides alike.
            answers = [(s.prompt, f"{s.answer} [{index}]") for s in batch]
            if index % 2 == 0:
                graded_s = await _grade_all(grader, answers, taught)
                encoded_s = _encode_all(embedder, answers)
            else:
                encoded_s = _encode_all(embedder, answers)
                graded_s = await _grade_all(grader, answers, taught)
            ours_s += graded_s
            raw_s += encoded_s
            round_ratios.append(encoded_s / graded_s)

        ours_lat: list[float] = []
        raw_lat: list[float] = []
        for s in batch[:latency_n]:
            # A fresh text, so no cache kept from the burst (morphology) can flatter the grader.
            text = f"{s.answer} (again)"
            start = time.perf_counter()
            await grader.grade(s.prompt, text, taught=taught.get(s.prompt.id, ()))
            ours_lat.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            embedder.encode([text])
            raw_lat.append((time.perf_counter() - start) * 1000)

    ours_rate, raw_rate = n * rounds / ours_s, n * rounds / raw_s
    ratio = ours_rate / raw_rate
    p50, p95 = percentile(ours_lat, 50), percentile(ours_lat, 95)
    raw_p50, raw_p95 = percentile(raw_lat, 50), percentile(raw_lat, 95)
    tp_met = ratio >= THROUGHPUT_TARGET
    p50_met = p50 / raw_p50 <= LATENCY_TARGET
    p95_met = p95 / raw_p95 <= LATENCY_TARGET
    lat_met = p50_met and p95_met
    payload = {
        "bench": "grading",
        "model": embedder.name,
        "device": embedder.device,
        "grader": found.as_dict(),
        "answers": n,
        "answers_source": source,
        "taught_per_question": taught_n,
        "throughput": {
            "ours_per_s": round(ours_rate, 2),
            "raw_encode_per_s": round(raw_rate, 2),
            "ratio": round(ratio, 3),
            "rounds": rounds,
            "round_ratios": [round(r, 3) for r in round_ratios],
            "target": f">= {THROUGHPUT_TARGET}",
            "target_met": tp_met,
        },
        "latency": {
            "samples": len(ours_lat),
            "ours_p50_ms": round(p50, 2),
            "ours_p95_ms": round(p95, 2),
            "raw_p50_ms": round(raw_p50, 2),
            "raw_p95_ms": round(raw_p95, 2),
            "ratio_p50": round(p50 / raw_p50, 3),
            "ratio_p95": round(p95 / raw_p95, 3),
            "target": f"<= {LATENCY_TARGET}x",
            "target_met": lat_met,
        },
    }
    lat_target = f"<= {LATENCY_TARGET}x"
    where = settings.embedding_url
    if where is not None:
        payload["remote"] = where
    return Outcome(
        title=f"grading: {n} answers, {found.identity.model} on {found.engine} "
        f"({where or found.device}{', ' + found.dtype if found.dtype else ''})"
        + (f", {taught_n} team-graded answers per question" if taught_n else ""),
        headers=[
            "metric",
            "ours",
            "raw encode" if where is None else "raw /embeddings",
            "ratio",
            "target",
            "met",
        ],
        rows=[
            [
                "answers/s (concurrent)",
                ours_rate,
                raw_rate,
                ratio,
                f">= {THROUGHPUT_TARGET}",
                tp_met,
            ],
            ["latency p50 ms", p50, raw_p50, p50 / raw_p50, lat_target, p50_met],
            ["latency p95 ms", p95, raw_p95, p95 / raw_p95, lat_target, p95_met],
        ],
        payload=payload,
        notes=[
            f"answers from {source}; throughput over {rounds} rounds of {n} (per round:"
            f" {', '.join(f'{r:.2f}' for r in round_ratios)}); latency over {len(ours_lat)}"
            " sequential answers",
            f"model: {found.describe()}",
            *([f"warning: {found.warning}"] if found.warning else []),
        ],
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench grading",
        description="Concurrent grading throughput and single-answer latency vs the bare model.",
    )
    parser.add_argument("--n", type=int, default=200, help="concurrent answers (default 200)")
    parser.add_argument(
        "--latency-n", type=int, default=50, help="sequential answers for latency (default 50)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help=f"bursts timed on each side, in alternating order (default {ROUNDS})",
    )
    parser.add_argument(
        "--answers", type=Path, default=DEV_SET_PATH, help="graded jsonl to draw from"
    )
    parser.add_argument(
        "--remote",
        metavar="URL",
        help="grade through this OpenAI-compatible embeddings server (e.g. http://127.0.0.1:8000/v1)"
        " and compare with its raw /embeddings throughput; model, token and prefix come from "
        "QUIZMASTER_EMBEDDING_MODEL, _TOKEN and _PREFIX",
    )
    parser.add_argument(
        "--taught",
        type=int,
        default=0,
        metavar="N",
        help="N team-graded answers per question as evidence (default 0; the issue's case: 200)",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.taught < 0:
        parser.error("--taught must be 0 or more")
    if min(args.n, args.latency_n, args.rounds) < 1:
        parser.error("--n, --latency-n and --rounds must be at least 1")
    if args.remote is not None:
        settings = settings.model_copy(update={"embedding_url": args.remote})
    outcome = asyncio.run(
        measure(
            settings,
            args.n,
            min(args.latency_n, args.n),
            args.answers,
            rounds=args.rounds,
            taught_n=args.taught,
        )
    )
    report(outcome, as_json=args.json)
    return 0
