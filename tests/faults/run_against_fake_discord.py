"""`quizmaster run` (the real command, `bot.cli.main`) with discord.py's REST base and gateway
pointed at a loopback fake Discord whose address is in `FAKE_DISCORD_URL`: what the in-process
tests do with `FakeDiscord.redirect`, for a process a test can kill. Discord's client has no
setting for its address, so the test sets it here, before the command starts."""

from __future__ import annotations

import os

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.cli import main
from tests.bot.platforms.discord.fake_discord import API

if __name__ == "__main__":
    url = os.environ["FAKE_DISCORD_URL"]
    Route.BASE = url + API
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url.replace("http://", "ws://") + "/gateway")
    raise SystemExit(main())
