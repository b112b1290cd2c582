"""Every part's commands are offered wherever a member looks for commands, from the parts'
own declarations (`bot.core.flow.parts`): `/help` names each `/quiz` word, in Korean and in
English; Discord's slash commands hold each; Slack's manifests list each in `/quiz`'s usage
hint. And the dispatcher serves every command record a part's words read, through the real
intake, so a command no part serves cannot be declared."""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from discord import AppCommandOptionType, app_commands

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.flow.dispatch import Dispatcher
from bot.core.flow.parts import DECLARED, GRAMMAR, PARTS
from bot.core.messages import Actor, Incoming, Reply
from bot.core.texts import CHAT
from bot.platforms.discord.commands import Suggestions, description_key, slash_groups
from bot.platforms.discord.dispatch import Relay
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Lang
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

ROOT = Path(__file__).parents[2]
ADMIN = Actor("u1", "Mina", is_admin=True)
QUIZ_WORDS = [verb.name for verb in GRAMMAR.verbs if not verb.line and verb.name != "help"]
"""The `/quiz` words `/help` names (all but itself)."""


@pytest.fixture
async def service(tmp_path: Path, bank: Bank) -> AsyncIterator[Wired]:
    repo = await Repository.open(tmp_path / "q.db")
    yield wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await repo.close()


async def say(service: Wired, text: str) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", ADMIN, text, thread_id="t1"), transport)
    return transport.sent


async def test_help_names_every_quiz_word_of_every_part_in_both_languages(
    service: Wired,
) -> None:
    helps: dict[Lang, str] = {}
    for lang in ("en", "ko"):
        await say(service, f"/quiz lang {lang}")
        [shown] = await say(service, "/help")
        helps[lang] = shown.text
    for lang, shown_text in helps.items():
        missing = [name for name in QUIZ_WORDS if f"`/quiz {name}" not in shown_text]
        assert not missing, (lang, missing)
        assert "`/demo list`" in shown_text
    assert helps["en"].startswith("**quizmaster commands**")
    assert helps["ko"].startswith("**quizmaster 명령**")


def _offered(group: app_commands.Group) -> set[str]:
    return {command.name for command in group.commands}


def _groups() -> dict[str, app_commands.Group]:
    groups = slash_groups(cast(Relay, object()), Suggestions(demo_names=_no_names), web_page=True)
    return {group.name: group for group in groups}


def test_discord_offers_every_part_command_in_its_declared_group() -> None:
    groups = _groups()
    typed = {(t.slash, t.name) for part in DECLARED for t in part.typed}
    for verb in GRAMMAR.verbs:
        if verb.slash is None:
            continue
        if verb.line:
            assert verb.slash == verb.name.removeprefix("/"), verb
            assert _offered(groups[verb.slash]), verb
        else:
            assert verb.name in _offered(groups[verb.slash]), (verb.name, verb.slash)
            assert (verb.word is None) == ((verb.slash, verb.name) in typed), verb.name
    declared = {(verb.slash, verb.name) for verb in GRAMMAR.verbs if verb.word is not None}
    offered = {(name, command) for name, group in groups.items() for command in _offered(group)}
    assert offered == declared | typed


KINDS = {
    "text": AppCommandOptionType.string,
    "number": AppCommandOptionType.integer,
    "member": AppCommandOptionType.user,
}


def test_discord_options_are_the_parts_declared_options_described_in_both_languages() -> None:
    """Each typed command's options as Discord is told them: name, kind, whether required,
    bounds, choices and suggestions, all from the part's `Typed`; and the catalogue describes
    each, in Korean and English."""
    groups = _groups()
    for part in DECLARED:
        for typed in part.typed:
            command = groups[typed.slash].get_command(typed.name)
            assert isinstance(command, app_commands.Command), typed.name
            assert CHAT.has(description_key(typed.slash, typed.name)), typed.name
            shown = {param.name: param for param in command.parameters}
            assert list(shown) == [
                o.name for o in sorted(typed.options, key=lambda o: not o.required)
            ]
            for option in typed.options:
                param = shown[option.name]
                assert param.type is KINDS[option.kind], (typed.name, option.name)
                assert param.required is option.required, (typed.name, option.name)
                assert [c.value for c in param.choices] == list(option.choices)
                assert param.autocomplete is (option.suggests is not None), option.name
                if option.kind != "member" and not option.choices:
                    assert (param.min_value, param.max_value) == (option.least, option.most)
                key = description_key(typed.slash, typed.name, option.name)
                assert CHAT.has(key) and CHAT.has(f"discord_option_{option.name}"), key
                assert all(CHAT.has(f"discord_choice_{choice}") for choice in option.choices)


def test_each_part_serves_exactly_the_records_it_declares() -> None:
    """A part's `serve` takes the union of the records its declaration serves, which mypy
    holds its `isinstance` branches to (`CommandPart[...]`)."""
    for part in PARTS:
        taken = typing.get_type_hints(part.serve)["command"]
        assert set(typing.get_args(taken) or (taken,)) == set(part.commands.serves), part


async def _no_names() -> list[str]:
    return []


@pytest.mark.parametrize("manifest", ["manifest.yml", "manifest-oauth.yml"])
def test_slack_lists_every_part_command_in_its_usage_hint(manifest: str) -> None:
    app: dict[str, Any] = yaml.safe_load((ROOT / "slack" / manifest).read_text(encoding="utf-8"))
    hints = {c["command"]: c["usage_hint"] for c in app["features"]["slash_commands"]}
    quiz = " | ".join(verb.usage for verb in GRAMMAR.verbs if not verb.line and verb.usage)
    [demo] = [verb.usage for verb in GRAMMAR.verbs if verb.name == "/demo"]
    assert hints == {"/quiz": quiz, "/demo": demo}
    assert all(verb.usage for verb in GRAMMAR.verbs if not verb.line)


def test_each_command_record_is_served_by_exactly_one_part() -> None:
    served = [record for part in DECLARED for record in part.serves]
    assert len(served) == len(set(served))
    assert len(PARTS) == len(DECLARED)


async def test_a_dispatcher_missing_a_part_refuses_to_start(service: Wired) -> None:
    with pytest.raises(ValueError, match="one of each part"):
        Dispatcher(parts=[service.posting])
