"""The slash commands in the member's Discord language, from the chat's catalogue
(`bot/core/texts.yaml`) through discord.py's `Translator`: every description is declared as
`said(key)`, the English as Discord's default and the Korean as its `ko` localisation; an
option's name and a choice's name are looked up by what they are (`discord_option_<name>`,
`discord_choice_<value>`). Command names are left as they are: they are what members type, and
every message of the catalogue quotes them (`/quiz next`) in both languages."""

from __future__ import annotations

from discord import Locale, app_commands
from discord.app_commands import TranslationContextLocation, TranslationContextTypes

from bot.core.texts import CHAT, text

_KOREAN = Locale.korean


def said(key: str) -> app_commands.locale_str:
    """The catalogue's message `key` for a command: its English text, carrying its key."""
    return app_commands.locale_str(text("en", key), key=key)


def catalogue_key(string: app_commands.locale_str, context: TranslationContextTypes) -> str | None:
    """Where `string` is in the catalogue: the key it was declared with, else its option's or
    choice's own key; None for what is not translated (command names)."""
    key = string.extras.get("key")
    if isinstance(key, str):
        return key
    if context.location is TranslationContextLocation.parameter_name:
        return f"discord_option_{string.message}"
    if context.location is TranslationContextLocation.choice_name:
        return f"discord_choice_{context.data.value}"
    return None


class CatalogueTranslator(app_commands.Translator):
    """Korean from the catalogue; every other locale gets Discord's default, the English."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: TranslationContextTypes,
    ) -> str | None:
        key = catalogue_key(string, context)
        if locale is not _KOREAN or key is None:
            return None
        if not CHAT.has(key):
            raise KeyError(f"no catalogue message {key!r} for the command text {string.message!r}")
        return text("ko", key)
