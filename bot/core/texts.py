"""Every user-facing string of the chat (all platforms), in Korean and English: the catalogue
`texts.yaml` beside this module, looked up through the shared `bot.core.catalogue`."""

from __future__ import annotations

from pathlib import Path

from bot.core.catalogue import Catalogue

CHAT = Catalogue(Path(__file__).with_name("texts.yaml"))

template = CHAT.template
text = CHAT.text
