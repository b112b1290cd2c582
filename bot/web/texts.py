"""Every string of the web page, in Korean and English: the catalogue `texts.yaml` beside this
module, looked up through the shared `content.catalogue` (the chat's are in `bot.core.texts`).
A template may hold markup (`<code>`), its values never: `markup` escapes them. A bank problem
(`content.loader.BankError`) is said from the bank's catalogue in the page's language, its
code spans as the page's `<code>` (`coded`)."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup, escape

from content.catalogue import Catalogue
from content.schema import Lang

WEB = Catalogue(Path(__file__).with_name("texts.yaml"))
_CODE_SPAN = re.compile(r"`([^`]+)`")

template = WEB.template
text = WEB.text


def markup(lang: Lang, key: str, **values: object) -> Markup:
    """The message as page markup: its own tags kept, every text value escaped (numbers stay
    numbers, so `{count:answer|answers}` still agrees)."""
    safe = {
        name: value if isinstance(value, int | float) else escape(value)
        for name, value in values.items()
    }
    return Markup(WEB.text(lang, key, **safe))


def coded(text: str) -> Markup:
    """Plain text as page markup: escaped, with each `code` span (as the chat and the bank's
    catalogue write code) in `<code>`."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))
