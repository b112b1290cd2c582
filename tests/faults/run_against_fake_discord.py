"""`quizmaster run` (the real command, `bot.cli.main`) with discord.py's REST base and gateway
pointed at a loopback fake Discord whose address is in `FAKE_DISCORD_URL`: what the in-process
tests do with `FakeDiscord.redirect`, for a process a test can kill. Discord's client has no
setting for its address, so the test sets it here, before the command starts; and, as the
in-process tests do, it waits 0.05 s instead of 2 s for more guilds before READY (the fake has
one)."""

from __future__ import annotations

import os
from typing import Any

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.cli import main
from bot.platforms.discord.client import QuizClient
from tests.bot.platforms.discord.fake_discord import API

_built = QuizClient.__init__


def _one_guild(client: QuizClient, *args: Any, **kwargs: Any) -> None:
    _built(client, *args, **kwargs)
    client._connection.guild_ready_timeout = 0.05


if __name__ == "__main__":
    url = os.environ["FAKE_DISCORD_URL"]
    Route.BASE = url + API
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url.replace("http://", "ws://") + "/gateway")
    QuizClient.__init__ = _one_guild  # type: ignore[method-assign,assignment]
    raise SystemExit(main())
