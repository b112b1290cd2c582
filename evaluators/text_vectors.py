"""Sentence vectors kept on disk one row per text, for one model: a start encodes only the texts no
file holds yet, so a new or edited team question costs its own few texts, not the whole bank.

Two files answer, the cache dir's own first (`KeptVectors`, rewritten after each encode) and then
the one shipped with the package for the bundled model and the seed bank (`ShippedVectors`): a
fresh install's first start finds the seed bank's 613 texts there instead of encoding them (about
a minute on two busy cores). A shipped file is used only when the running model proves to be the
one that wrote it: same name and size, and the same vector for the identity's probe text.

A row is keyed by the SHA-256 of its text, so the files hold no member's or team's text."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluators.embedding.identity import PROBE_TEXT, Probed
from evaluators.embedding.vectors import Matrix, file_safe_key
from evaluators.whole_files import replacing

logger = logging.getLogger("quizmaster.evaluators")

DIGEST_BYTES = 32
MAX_KEPT_ROWS = 20_000
"""Rows the cache dir's file keeps, those of the bank just loaded first: about 30 MB at 384
dimensions. Rows of texts no bank has any more go first once it is full."""
SHIPPED_DIR = Path(__file__).resolve().parent / "reference_vectors"
PROBE_TOLERANCE = 1e-4
"""How far a probe component may move and still be the same model: the same weights on another
CPU or thread count move one by about 1e-6; another model or quantisation by far more."""

Rows = dict[bytes, Matrix]


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _load(path: Path) -> tuple[Rows, dict[str, npt.NDArray[Any]]] | None:
    """The rows in `path` and its other arrays; None when there is no file, or a warning and None
    when it is unreadable or malformed (the texts are encoded again)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.asarray(data[name]) for name in data.files}
        digests, vectors = arrays.pop("digests"), arrays.pop("vectors").astype(np.float32)
        if digests.shape != (len(vectors), DIGEST_BYTES) or vectors.ndim != 2:
            raise ValueError(f"digests {digests.shape} do not match vectors {vectors.shape}")
    except (OSError, ValueError, KeyError) as exc:
        logger.warning("ignoring unreadable embedding cache %s: %s", path, exc)
        return None
    return {bytes(key): row for key, row in zip(digests, vectors, strict=True)}, arrays


def _save(path: Path, rows: Mapping[bytes, Matrix], **extra: npt.NDArray[Any]) -> None:
    arrays: dict[str, Any] = {
        "digests": np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), DIGEST_BYTES),
        "vectors": np.stack(list(rows.values())),
        **extra,
    }
    with replacing(path, ".tmp.npz") as partial:
        np.savez(partial, **arrays)


@dataclass(frozen=True)
class KeptVectors:
    """The cache dir's rows for one model (`cache_key`: the embedder's name and engine)."""

    path: Path
    max_rows: int = MAX_KEPT_ROWS

    @classmethod
    def in_cache(cls, cache_dir: Path, cache_key: str) -> KeptVectors:
        return cls(cache_dir / "embeddings" / f"{cache_key}-by-text.npz")

    def read(self) -> Rows:
        loaded = _load(self.path)
        return {} if loaded is None else loaded[0]

    def write(self, current: Rows, older: Rows) -> None:
        """`current` (the bank just loaded), then as many of `older` as fit. A read-only cache
        dir costs an encode next start, nothing more."""
        rows = dict(current)
        for key, row in older.items():
            if len(rows) >= self.max_rows:
                break
            rows.setdefault(key, row)
        try:
            _save(self.path, rows)
        except OSError as exc:
            logger.warning("could not write embedding cache %s: %s", self.path, exc)


@dataclass(frozen=True)
class ShippedVectors:
    """The package's rows for one model: the seed bank's texts, written by `quizmaster eval
    ship-vectors` and checked against the running model before any row is used."""

    folder: Path = SHIPPED_DIR

    def path_for(self, model_name: str) -> Path:
        return self.folder / f"{file_safe_key(model_name)}.npz"

    def matching(self, embedder: Probed) -> Rows:
        """The rows for `embedder`, or none when no file was shipped for its name or the file's
        model is not this one (one encode of the probe text decides)."""
        path = self.path_for(embedder.name)
        loaded = _load(path)
        if loaded is None:
            return {}
        rows, arrays = loaded
        probe = arrays.get("probe")
        if str(arrays.get("model", "")) != embedder.name or probe is None:
            logger.warning("shipped vectors %s name no model or another one; not used", path)
            return {}
        live = embedder.encode([PROBE_TEXT])[0]
        if probe.shape != live.shape or float(np.max(np.abs(probe - live))) > PROBE_TOLERANCE:
            logger.warning(
                "shipped vectors %s were written by another build of %s; encoding instead",
                path,
                embedder.name,
            )
            return {}
        return rows

    def write(self, embedder: Probed, rows: Rows) -> Path:
        """Ship `rows` for `embedder`, with its name and its probe vector to be checked at load."""
        path = self.path_for(embedder.name)
        probe = embedder.encode([PROBE_TEXT])[0].astype(np.float32)
        _save(path, rows, model=np.array(embedder.name), probe=probe)
        return path
