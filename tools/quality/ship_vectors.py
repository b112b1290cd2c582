"""`quizmaster eval ship-vectors`: encode the seed bank's texts with the configured model and
write them where the package ships them (`evaluators/reference_vectors/`), so that a fresh
install's first start reads them instead of encoding the whole bank. Run it after a seed
question changes (`tests/evaluators/test_shipped_vectors.py` fails until then; a start still
works meanwhile, encoding the texts the file lacks)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from content.loader import DEFAULT_BANK_DIR, load_bank
from evaluators.model_settings import ModelSettings
from evaluators.references import ReferenceStore, bank_texts
from evaluators.text_vectors import SHIPPED_DIR, ShippedVectors
from evaluators.vector_provenance import digest, writer_of


def main(argv: list[str], settings: ModelSettings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster eval ship-vectors",
        description="Write the seed bank's vectors for the configured model into the package.",
    )
    parser.add_argument("--out", type=Path, default=SHIPPED_DIR, help="folder to write into")
    args = parser.parse_args(argv)
    embedder = settings.embedder()
    bank = load_bank([DEFAULT_BANK_DIR])
    with tempfile.TemporaryDirectory() as scratch:
        # An empty cache and no shipped file: every text is encoded by the model itself.
        store = ReferenceStore(embedder, Path(scratch), shipped=ShippedVectors(Path(scratch)))
        store.load_bank(bank)
        rows = {digest(text): store.vector(text) for text in bank_texts(bank)}
    path = ShippedVectors(args.out).write(embedder.name, writer_of(embedder), rows)
    print(f"wrote {len(rows)} vectors of {embedder.name} to {path}")
    return 0
