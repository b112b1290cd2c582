"""The floor of a bot start: a process that only imports sentence-transformers, loads the model
and encodes one answer, then says so. `bench startup` times it beside the real bot; nothing the
bot does on top (bank, database, Korean morphology, references, demos) is in here.

Run as `python -m bench.floor MODEL DEVICE`; it imports nothing else of ours.
"""

from __future__ import annotations

import sys

READY = "floor ready"
ANSWER = "ReLU keeps gradients alive where sigmoid saturates, so deep networks train faster."


def main(model: str, device: str) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    SentenceTransformer(model, device=device, local_files_only=True).encode([ANSWER])
    print(READY, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
