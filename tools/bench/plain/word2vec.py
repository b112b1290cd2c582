"""Twin of the word2vec demo: skip-gram with negative sampling (Adam) on its generated corpus.

The corpus comes from the demo's own `corpus` function: it is the data set (as `load_digits` is
for the digit demos), not part of the training being timed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from compute.demos.word2vec import Word2VecParams, corpus
from tools.bench.plain._training import step


def train() -> dict[str, float]:
    p = Word2VecParams()
    sentences = corpus(p.sentences, np.random.default_rng(p.seed))
    ids: dict[str, int] = {}
    pairs = []
    for sentence in sentences:
        row = [ids.setdefault(word, len(ids)) for word in sentence]
        for i, centre in enumerate(row):
            window = range(max(0, i - p.window), min(len(row), i + p.window + 1))
            pairs += [(centre, row[j]) for j in window if j != i]
    pair_ids = torch.tensor(pairs)
    freq = torch.bincount(pair_ids[:, 0], minlength=len(ids)).float() ** 0.75
    noise = freq / freq.sum()

    torch.manual_seed(p.seed)
    emb_in, emb_out = nn.Embedding(len(ids), p.dim), nn.Embedding(len(ids), p.dim)
    nn.init.uniform_(emb_in.weight, -0.5 / p.dim, 0.5 / p.dim)
    nn.init.zeros_(emb_out.weight)
    optimizer = torch.optim.Adam([emb_in.weight, emb_out.weight], lr=p.learning_rate)
    sampler = torch.Generator().manual_seed(p.seed)
    logsig = nn.functional.logsigmoid
    for _ in range(p.epochs):
        epoch_loss = 0.0
        for batch in torch.split(torch.randperm(len(pair_ids), generator=sampler), p.batch_size):
            n = len(batch)
            negatives = torch.multinomial(
                noise, n * p.negatives, replacement=True, generator=sampler
            )
            centre = emb_in(pair_ids[batch, 0])
            pos = (centre * emb_out(pair_ids[batch, 1])).sum(dim=1)
            neg = torch.bmm(emb_out(negatives.view(n, p.negatives)), centre.unsqueeze(2)).squeeze(2)
            loss = -(logsig(pos) + logsig(-neg).sum(dim=1)).mean()
            step(optimizer, loss)
            epoch_loss += loss.item() * n
    vectors = emb_in.weight.detach()

    def cosine(a: str, b: str) -> float:
        return float(nn.functional.cosine_similarity(vectors[ids[a]], vectors[ids[b]], dim=0))

    return {
        "cos_man_woman": cosine("남자", "여자"),
        "cos_man_car": cosine("남자", "자동차"),
        "final_loss": epoch_loss / len(pair_ids),
    }
