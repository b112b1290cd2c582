"""Every message of the four catalogues (the chat's `bot/core/texts.yaml`, the web page's
`bot/web/texts.yaml`, the grader's `evaluators/texts.yaml`, the bank's problems'
`content/texts.yaml`), in both languages, rendered with
counts 0, 1 and 2: it fills in, and an English count agrees with the word after it ("1 answer",
"2 answers"). A broken catalogue file is refused at load, naming its file and key."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.core.texts import CHAT, text
from bot.web.texts import WEB
from content.catalogue import Catalogue, CatalogueError
from content.loader import BankError
from content.schema import Lang
from content.texts import BANK
from evaluators.texts import GRADER

LANGS: tuple[Lang, ...] = ("ko", "en")

# Words that may follow a bare number: units, and words that do not change with the count.
NOT_NOUNS = {
    "s",
    "min",
    "per",
    "of",
    "answered",
    "more",
    "to",
    "resolved",
    "changed",
    "graded",
    "waiting",
}
_WORD_AFTER = re.compile(r"^ ([A-Za-z]+)")
POSITIONS = {"order", "number"}
"""Fields that hold a place in a list ("answer 2 is blank"), not a count of the word after."""


MESSAGES = [
    (catalogue, key) for catalogue in (CHAT, WEB, GRADER, BANK) for key in catalogue.message_keys()
]
IDS = [f"{catalogue.path.parent.name}:{key}" for catalogue, key in MESSAGES]


def fields(catalogue: Catalogue, lang: Lang, key: str) -> dict[str, str]:
    """Each field of the template, with its format spec."""
    return {
        name: spec or ""
        for _, name, spec, _ in string.Formatter().parse(catalogue.template(lang, key))
        if name is not None
    }


def values(catalogue: Catalogue, lang: Lang, key: str, count: int) -> dict[str, object]:
    """Counts for numeric fields (a plural or number spec), a name for every other field."""
    return {
        name: count if is_count(name, spec) else "Ada"
        for name, spec in fields(catalogue, lang, key).items()
    }


def is_count(name: str, spec: str) -> bool:
    return (
        "|" in spec or spec in {"ordinal"} or spec.endswith("f") or (not spec and name not in NAMES)
    )


# Fields that hold text, not numbers.
NAMES = {
    "mention",
    "text",
    "name",
    "day",
    "verdict",
    "items",
    "concept",
    "detail",
    "usage",
    "zone",
    "days",
    "at",
    "next",
    "period",
    "known",
    "fields",
    "queue",
    "reason",
    "message",
    "demos",
    "label",
    "topic",
    "when",
    "upcoming",
    "best",
    "question",
    "rows",
    "topics",
    "prompt",
    "covered",
    "missed",
    "note",
    "id",
    "near",
    "first",
    "where",
    "chars",
    "ids",
    "questions",
    "concepts",
    "problem",
    "parent",
    "other",
    "pattern",
    "expected",
    "choices",
    "type",
    "mark",
    "column",
    "suggested",
    "folder",
    "finding",
    "limit",
    "asked",
    "least",
    "cap",
    "size",
}


@pytest.mark.parametrize(("catalogue", "key"), MESSAGES, ids=IDS)
def test_both_languages_take_the_same_fields(catalogue: Catalogue, key: str) -> None:
    assert set(fields(catalogue, "ko", key)) == set(fields(catalogue, "en", key)), key


@pytest.mark.parametrize(("catalogue", "key"), MESSAGES, ids=IDS)
@pytest.mark.parametrize("count", [0, 1, 2])
def test_every_message_renders_in_both_languages(
    catalogue: Catalogue, key: str, count: int
) -> None:
    for lang in LANGS:
        shown = catalogue.text(lang, key, **values(catalogue, lang, key, count))
        assert shown.strip()
        assert "{" not in shown.replace("{}", ""), (lang, key, shown)


@pytest.mark.parametrize(("catalogue", "key"), MESSAGES, ids=IDS)
def test_an_english_number_before_a_noun_agrees_with_it(catalogue: Catalogue, key: str) -> None:
    """A bare `{n}` followed by a word is a plural waiting to go wrong: it must be written
    `{n:one|many}`, which then reads "1 answer" and "2 answers"."""
    english = catalogue.template("en", key)
    for _, name, spec, _ in string.Formatter().parse(english):
        if name is None or name in NAMES or name in POSITIONS or spec:
            continue
        after = english.split("{" + name + "}", 1)[1]
        word = _WORD_AFTER.match(after)
        assert word is None or word.group(1) in NOT_NOUNS, (
            f"{key}: '{{{name}}} {word.group(1) if word else ''}' needs {{{name}:one|many}}"
        )
    for name, spec in fields(catalogue, "en", key).items():
        if "|" not in spec:
            continue
        one, many = spec.split("|", 1)
        for count, noun in ((0, many), (1, one), (2, many)):
            shown = catalogue.text("en", key, **values(catalogue, "en", key, count))
            assert f"{count} {noun}" in shown, (key, name, shown)


def test_reveal_summary_reads_naturally_for_one_member() -> None:
    shown = text("en", "reveal_summary", answers=1, members=1, mean=50, best_score=50, best="Ada")
    assert shown.startswith("Today: 1 answer from 1 member · mean 50")
    many = text("en", "reveal_summary", answers=3, members=2, mean=50, best_score=70, best="Ada")
    assert many.startswith("Today: 3 answers from 2 members")


@pytest.mark.parametrize(
    ("position", "english"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (13, "13th"), (21, "21st")],
)
def test_a_queue_place_is_an_ordinal_in_english_and_a_counter_in_korean(
    position: int, english: str
) -> None:
    assert text("en", "demo_in_queue", position=position) == f"{english} in queue"
    assert text("ko", "demo_in_queue", position=position) == f"대기열 {position}번째"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("title:\n  ko: 제목\n", "expected exactly the keys ko and en"),
        ("title:\n  ko: 제목\n  en: ''\n", "ko and en must both be non-empty text"),
        ("title:\n  ko: 제목\n  en: Title\ntitle:\n  ko: a\n  en: b\n", "appears twice"),
        ("- title\n", "expected a mapping of message keys"),
    ],
)
def test_a_broken_catalogue_is_refused_at_load_naming_file_and_key(
    tmp_path: Path, body: str, problem: str
) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises((CatalogueError, BankError), match=problem) as refused:
        Catalogue(path)
    assert str(path) in str(refused.value)


_DISCORD_NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.mark.parametrize("lang", LANGS)
def test_discords_command_texts_fit_what_discord_takes(lang: Lang) -> None:
    """Discord refuses a whole command sync for one text it does not take: an option's name
    (either language) is one lower-case word of at most 32 characters, a description or a
    choice's name at most 100 characters."""
    keys = [key for key in CHAT.message_keys() if key.startswith("discord_")]
    assert len(keys) > 60
    for key in keys:
        shown = text(lang, key)
        if key.startswith("discord_option_"):
            assert _DISCORD_NAME.match(shown) and shown == shown.lower(), (key, shown)
        else:
            assert 1 <= len(shown) <= 100, (key, shown)
