"""What every data set of the quality table is measured with: one model (its vectors kept across
runs), the cache dir the grader keeps its own files in, and the folder of real data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from content.bank import Bank
from evaluators.fitting.rows import Row
from evaluators.service import EmbeddingGrader, grader_on
from tools.quality.evaluation import evaluate
from tools.quality.quality_cache import CachedEmbedder
from tools.quality.report import RowResult

DATA_ENV = "QUIZMASTER_QUALITY_DATA"
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
"""`../shared/data` beside the checkout: real data sets that are not ours to ship."""


@dataclass(frozen=True)
class QualityRun:
    embedder: CachedEmbedder
    cache_dir: Path
    data: Path
    timings: Path | None = None
    """What `quizmaster bench grading --json` printed (the timings row), when given."""

    def grader(self) -> EmbeddingGrader:
        """A fresh grader on the run's model, with the calibration in use for its identity."""
        return grader_on(self.embedder, cache_dir=self.cache_dir)

    async def graded(
        self, rows: list[Row], bank: Bank, *, as_bank: bool = False
    ) -> list[RowResult]:
        """`rows` graded live, as a channel would grade them, in their order (`evaluate`)."""
        evaluation = await evaluate(self.grader(), rows, bank, cv=False, as_bank=as_bank)
        return evaluation.results

    def cosines(self, answers: Sequence[str], references: Sequence[str]) -> NDArray[np.float64]:
        """The model's bare cosine of each answer with its reference (the baseline rows)."""
        a = self.embedder.encode(list(answers))
        b = self.embedder.encode(list(references))
        products: NDArray[np.float64] = np.einsum("ij,ij->i", a, b).astype(np.float64)
        return products
