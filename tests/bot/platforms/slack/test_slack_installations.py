"""The installation store and the OAuth state, on SQLite and PostgreSQL: tokens sealed at rest,
revocations delete them, and a state is good once, unexpired and only if ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.platforms.slack.oauth_state import STATE_LIFETIME, SignedStates
from bot.storage.repository import Repository

KEY = Fernet.generate_key().decode()
TOKENS = ("xoxb-team-one-bot", "xoxe-team-one-refresh", "xoxp-team-one-user")


def installation(team_id: str, *, bot_token: str = TOKENS[0]) -> Installation:
    return Installation(
        app_id="A1",
        team_id=team_id,
        team_name=f"name of {team_id}",
        bot_token=bot_token,
        bot_id="B1",
        bot_user_id="UBOT1",
        bot_scopes="commands,chat:write",
        bot_refresh_token=TOKENS[1],
        bot_token_expires_in=43200,
        user_id="UINSTALLER",
        user_token=TOKENS[2],
        user_scopes="",
    )


async def test_tokens_are_sealed_at_rest_and_read_back(repo: Repository) -> None:
    store = repo.slack_installations(KEY)
    await store.async_save(installation("T1"))
    raw = await repo.db.fetch("SELECT * FROM slack_installations")
    stored = " ".join(str(value) for row in raw for value in row)
    assert raw and not any(token in stored for token in TOKENS)
    assert "xox" not in stored
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token, bot.bot_user_id) == (*TOKENS[:2], "UBOT1")
    assert bot.bot_scopes == ["commands", "chat:write"]
    found = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.user_token == TOKENS[2]
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    other_key = repo.slack_installations(Fernet.generate_key().decode())
    with pytest.raises(InvalidToken):
        await other_key.async_find_bot(enterprise_id=None, team_id="T1")


async def test_reinstall_replaces_and_revocation_deletes_one_workspace(repo: Repository) -> None:
    store = repo.slack_installations(KEY)
    await store.async_save(installation("T1"))
    await store.async_save(installation("T2", bot_token="xoxb-team-two"))
    await store.async_save(installation("T2", bot_token="xoxb-team-two-again"))
    again = await store.async_find_bot(enterprise_id=None, team_id="T2")
    assert again is not None and again.bot_token == "xoxb-team-two-again"

    await store.async_delete_installation(enterprise_id=None, team_id="T1", user_id="UINSTALLER")
    kept = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert kept is not None and kept.user_token is None and kept.bot_token == TOKENS[0]

    await store.async_delete_all(enterprise_id=None, team_id="T1")
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T1") is None
    assert [row["team_id"] for row in await repo.db.fetch("SELECT * FROM slack_installations")] == [
        "T2"
    ]
    other = await store.async_find_bot(enterprise_id=None, team_id="T2")
    assert other is not None and other.bot_token == "xoxb-team-two-again"


async def test_state_is_good_once_unexpired_and_only_if_signed_here(repo: Repository) -> None:
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    clock = [now]
    states = SignedStates("state-secret-0123456789", repo.nonces, clock=lambda: clock[0])
    state = await states.async_issue()
    assert await states.async_consume(state)
    assert not await states.async_consume(state), "a state is spent by its first use"

    expires, nonce, signature = (await states.async_issue()).split(".")
    assert not await states.async_consume(f"{int(expires) + 3600}.{nonce}.{signature}")
    assert not await states.async_consume(f"{expires}.{nonce}.{signature[:-2]}xx")
    stranger = SignedStates("another-secret-987654321", repo.nonces)
    assert not await states.async_consume(await stranger.async_issue())
    for junk in ("", "abc", "1.2", "9" * 40 + ".n.s"):
        assert not await states.async_consume(junk)

    late = await states.async_issue()
    clock[0] = now + STATE_LIFETIME + timedelta(seconds=1)
    assert not await states.async_consume(late), "an expired state is refused"
