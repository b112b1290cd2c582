"""Every user-facing string of the chat (all platforms), in Korean and English: the catalogue
`texts.yaml` beside this module, looked up through the shared `content.catalogue`."""

from __future__ import annotations

from pathlib import Path

from content.catalogue import Catalogue
from content.schema import Lang

CHAT = Catalogue(Path(__file__).with_name("texts.yaml"))

template = CHAT.template
text = CHAT.text


def subject_name(lang: Lang, subject: str) -> str:
    """A bank subject's name in `lang` (`subject_<id>` in the catalogue); a subject without one
    (a team's own bank file) as its bank file names it."""
    key = f"subject_{subject}"
    return CHAT.text(lang, key) if CHAT.has(key) else subject
