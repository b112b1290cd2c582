"""Which embedding model a calibration belongs to. A name alone is not enough (one name can point
at a retrained or requantised model, and a remote server may answer for a name with anything), so
the identity adds the dimension and a fingerprint of what the model actually returns for a fixed
probe text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

PROBE_TEXT = "ReLU는 음수 입력을 0으로 만든다. Dropout randomly zeroes activations during training."
# Coarse on purpose: the same weights on another CPU, BLAS or thread count move a unit vector's
# components by about 1e-6, which must not change the identity; another model moves them by far
# more than one step.
FINGERPRINT_DECIMALS = 1
FINGERPRINT_CHARS = 16


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


def identify(embedder: Probed) -> ModelIdentity:
    """One encode of the probe text: cheap enough for every start."""
    vector = embedder.encode([PROBE_TEXT])[0]
    return ModelIdentity(
        model=embedder.name, dimension=embedder.dimension, fingerprint=fingerprint(vector)
    )
