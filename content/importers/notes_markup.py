"""Plain text from one line of study notes: Markdown and HTML markup out, LaTeX kept as written.

Images and struck-through text go (a struck claim is one its author took back); links keep their
words; `<br>`, other tags, emphasis and code marks go. Text between `$` signs is left alone, so
`$x_{min}$` keeps the underscores an emphasis rule would eat.
"""

from __future__ import annotations

import html
import re

_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_STRUCK = re.compile(r"~~.*?~~")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"
)
_CODE = re.compile(r"`([^`]*)`")


def plain_text(line: str) -> str:
    """`line` without markup, whitespace collapsed to single spaces."""
    parts = _MATH.split(line)
    kept = [part if index % 2 else _unmark(part) for index, part in enumerate(parts)]
    return " ".join("".join(kept).split())


def _unmark(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _STRUCK.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _BREAK.sub(" ", text)
    text = _TAG.sub("", text)
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda match: match.group(1) or match.group(2), text)
    return html.unescape(text)
