"""A real model with one bit flip's worth of damage: the embedding row of one word's token set to
NaN. Every text holding that word encodes to a NaN vector (attention spreads it to every
position), every other text to its usual vector: the fault the grader must refuse, where the
texts it reads hold the word, and grade as usual where they do not."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer

from evaluators.embedding.sentence_model import Embedder

BROKEN_WORD = "zebra"
"""In no text of the seed bank, the dev set or the identity's probe."""
WORD_EMBEDDINGS = "0.model.embeddings.word_embeddings.weight"
WEIGHTS_FILE = "model.safetensors"


def with_nan_token(embedder: Embedder, word: str = BROKEN_WORD) -> Embedder:
    """A copy of `embedder`'s model, under its name, with `word`'s first token's row NaN."""
    model = copy.deepcopy(embedder.model)
    (token, *_) = model.tokenizer(word, add_special_tokens=False)["input_ids"]
    weights = dict(model.named_parameters())[WORD_EMBEDDINGS]
    with torch.no_grad():
        weights[token] = float("nan")
    return Embedder(model=model, name=embedder.name, device=embedder.device)


def folder_with_nan_token(model: Path, word: str, into: Path) -> Path:
    """The model folder `model` copied to `into`, its weights file with `word`'s first token's
    row NaN (the other files linked): a model on disk damaged as `with_nan_token` damages one
    in memory, for what loads a model by its folder."""
    into.mkdir(parents=True)
    for item in model.iterdir():
        if item.name != WEIGHTS_FILE:
            (into / item.name).symlink_to(item)
    tensors = load_file(model / WEIGHTS_FILE)
    (token, *_) = (
        Tokenizer.from_file(str(model / "tokenizer.json"))
        .encode(word, add_special_tokens=False)
        .ids
    )
    tensors["embeddings.word_embeddings.weight"][token] = float("nan")
    save_file(tensors, into / WEIGHTS_FILE, metadata={"format": "pt"})
    return into
