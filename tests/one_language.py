"""The one-language checker the surfaces' tests share: which words of a shown text are in the
other language than the channel's, once code (`...`), links, command names, quoted texts and the
terms of art below are taken out.

In Korean, a Latin word left over is English the bot wrote (a topic id, a label, a dialog's
title) but for the terms of art; in English, any Hangul is but a language's own name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from content.bank import Bank
from content.schema import Lang

TERMS_OF_ART = {
    "quizmaster",  # the product
    "FSRS",  # the scheduler practice is named after
    "KST",  # a time zone
    "UTC",
    "QUIZMASTER_WEB_URL",  # settings named where they are missing
    "QUIZMASTER_WEB_SECRET",
    "English",  # a language's own name, in the language menu
    "id",  # a question's or concept's id: the bank file's field, which a team's notes write
}
TYPED = frozenset(
    {"all", "daily", "weekdays", "weekends", "mon", "wed", "fri", "key", "value", "seed", "epochs"}
    | {"IANA", "Asia", "Seoul", "HH", "MM"}
)
"""Values a command takes as typed, which Discord's option descriptions name (`days`: daily,
weekdays, ...; `params`: key=value, seed=1; a time zone: Asia/Seoul, a time: HH:MM): Discord
shows no code, so they stand bare."""
LANGUAGE_NAMES = {"한국어"}  # a language's own name, in the language menu
_LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
_SENTENCE = re.compile(r"(?<=[.!?다요)])\s+")
_CODE = re.compile(r"[`｀][^`｀]*[`｀]")
_LINK = re.compile(
    r"<[^>\s]+>|&lt;@\w+&gt;|https?://\S+|/\S+\.(?:png|log|db)"
    r"|/(?:demo|quiz(?:-admin)?)(?: [\w-]+)?"
)


def without_code(line: str) -> str:
    """`line` without code, links, paths and command names: what any language may show."""
    return _LINK.sub(" ", _CODE.sub(" ", line.replace("*", "")))


def other_language(line: str, lang: Lang, typed: frozenset[str] = frozenset()) -> set[str]:
    """The words of `line` (code, links and commands taken out) in the other language; `typed`:
    words that stand for what a member types, allowed too."""
    left = without_code(line)
    if lang == "ko":
        allowed = TERMS_OF_ART | typed
        return {word for word in _LATIN.findall(left) if word not in allowed}
    return {word for word in _HANGUL.findall(left) if word not in LANGUAGE_NAMES}


@dataclass(frozen=True)
class Quoted:
    """What a session may show in any language, longest first: it is taken out of a line
    before the line is judged."""

    texts: tuple[str, ...]

    @classmethod
    def of(cls, bank: Bank, own: Iterable[str]) -> Quoted:
        """Everything in `bank` (ids, questions, model answers, concepts, guidance), and `own`:
        members' texts and names, a demo's own words."""
        texts: set[str] = set(own)
        for prompt in bank.all():
            texts |= {prompt.id, prompt.text.ko, prompt.text.en, *prompt.aliases}
            texts |= {r.text for r in prompt.references} | {m.text for m in prompt.misconceptions}
            for concept in prompt.concepts:
                texts |= set(concept.surface_forms())
            if prompt.guidance is not None:
                texts |= {prompt.guidance.ko, prompt.guidance.en}
        sentences = {part for text in texts for part in _SENTENCE.split(text) if len(part) > 8}
        return cls(tuple(sorted(texts | sentences, key=len, reverse=True)))

    def residue(self, line: str) -> str:
        line = without_code(line)
        for text in self.texts:
            if text and text in line:  # as a whole word: a bank's "RS" leaves "FSRS" alone
                line = re.sub(rf"(?<![A-Za-z_]){re.escape(text)}(?![A-Za-z_])", " ", line)
        return line


def foreign_lines(
    lines: Iterable[str],
    lang: Lang,
    *,
    quoted: Quoted | None = None,
    typed: frozenset[str] = frozenset(),
) -> list[str]:
    """Each line showing words of the other language once what it `quoted` is taken out, with
    those words: [] when none does."""
    found = []
    for line in lines:
        words = other_language(quoted.residue(line) if quoted else line, lang, typed)
        if words:
            found.append(f"{sorted(words)} in {line!r}")
    return found
