"""The bank's problems in Korean and English: the catalogue `texts.yaml` beside this module, which
every `BankError` names a message of (`content.loader`), looked up through `content.catalogue`.

A problem is said where it is shown, in its reader's language: the web page's question form and
notes import and the admin's chat say it in the page's or channel's language; the command line
(`quizmaster content check`, `content import`, the bot's start-up), which speaks English only,
prints `str(error)`, the English line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from content.catalogue import Catalogue
from content.schema import Lang

if TYPE_CHECKING:
    from content.loader import BankError

BANK = Catalogue(Path(__file__).with_name("texts.yaml"))


def problem(lang: Lang, error: BankError) -> str:
    """What is wrong and how to fix it, in `lang`: the message alone, without where."""
    return BANK.text(lang, error.key, **error.values)


def located(lang: Lang, error: BankError) -> str:
    """The whole line in `lang`: the file, the prompt, the field or line, then the problem."""
    where = [error.file]
    if error.prompt_id:
        where.append(BANK.text(lang, "at_prompt", prompt=error.prompt_id))
    if error.line is not None:
        where.append(BANK.text(lang, "at_line", line=error.line))
    if error.field:
        where.append(error.field)
    return ": ".join([*where, problem(lang, error)])
