"""Reference embeddings are encoded once per (model, bank content) and then read from disk."""

from __future__ import annotations

from pathlib import Path

from content.bank import Bank
from content.schema import Localized
from evaluators.calibration import Calibration
from evaluators.embedder import Embedder, load_embedder
from evaluators.service import EmbeddingGrader
from tests.conftest import BUNDLED_MODEL
from tests.evaluators.conftest import OPEN, RELU


def _fresh_grader(cache_dir: Path) -> EmbeddingGrader:
    """A grader on its own Embedder (same loaded model), so nothing is shared in memory and only
    the disk cache can spare the encoding."""
    shared = load_embedder(BUNDLED_MODEL, "cpu")
    embedder = Embedder(model=shared.model, name=shared.name, device="cpu")
    return EmbeddingGrader(embedder, cache_dir=cache_dir, calibration=Calibration.load())


async def test_unchanged_bank_hits_the_npz_cache(tmp_path: Path, mini_bank: Bank) -> None:
    first = _fresh_grader(tmp_path)
    assert await first.prepare(mini_bank) is False
    assert first.embedder.texts_encoded > 0
    path = first.store.cache_path(mini_bank)
    assert path.is_file()
    written = path.stat().st_mtime_ns

    second = _fresh_grader(tmp_path)
    assert await second.prepare(mini_bank) is True
    assert second.embedder.texts_encoded == 0
    assert second.store.cache_hits == 1
    assert path.stat().st_mtime_ns == written
    grade = await second.grade(RELU, "ReLU는 계산이 빠르고 기울기 소실이 적어요.")
    assert second.embedder.texts_encoded == 1  # only the answer
    assert grade.score > 0


async def test_changed_bank_misses_the_cache(tmp_path: Path, mini_bank: Bank) -> None:
    await _fresh_grader(tmp_path).prepare(mini_bank)
    edited = RELU.model_copy(update={"text": Localized(ko="ReLU를 쓰는 이유는?", en="Why ReLU?")})
    other = _fresh_grader(tmp_path)
    assert await other.prepare(Bank([edited, OPEN])) is False
    assert other.embedder.texts_encoded > 0
