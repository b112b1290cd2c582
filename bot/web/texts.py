"""Every string of the web page, in Korean and English: the catalogue `texts.yaml` beside this
module, looked up through the shared `content.catalogue` (the chat's are in `bot.core.texts`).
A template may hold markup (`<code>`), its values never: `markup` escapes them."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from content.catalogue import Catalogue
from content.schema import Lang

WEB = Catalogue(Path(__file__).with_name("texts.yaml"))

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
