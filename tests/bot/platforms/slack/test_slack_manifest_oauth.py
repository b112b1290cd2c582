"""The distributed app's manifest is the one-workspace manifest plus what OAuth needs: the
redirect URL the bot serves, public request URLs, and the uninstall events it handles. The
scopes the OAuth flow asks for are the ones both manifests grant."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.platforms.slack.installation import BOT_SCOPES, REDIRECT_PATH
from bot.platforms.slack.runner import EVENTS_PATH

SLACK = Path(__file__).parents[4] / "slack"


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((SLACK / name).read_text(encoding="utf-8"))
    return loaded


def test_the_oauth_flow_asks_for_what_the_manifests_grant() -> None:
    for name in ("manifest.yml", "manifest-oauth.yml"):
        assert load(name)["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES), name


def test_the_distributed_manifest_serves_over_http_with_the_redirect_we_serve() -> None:
    one, many = load("manifest.yml"), load("manifest-oauth.yml")
    [redirect] = many["oauth_config"]["redirect_urls"]
    assert urlsplit(redirect).scheme == "https" and urlsplit(redirect).path == REDIRECT_PATH
    settings = many["settings"]
    assert settings["socket_mode_enabled"] is False
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(command["url"] for command in many["features"]["slash_commands"]),
    ]
    assert {urlsplit(url).path for url in urls} == {EVENTS_PATH}
    assert {urlsplit(url).netloc for url in [*urls, redirect]} == {urlsplit(redirect).netloc}
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        *one["settings"]["event_subscriptions"]["bot_events"],
        "app_uninstalled",
        "tokens_revoked",
    }
    assert many["display_information"] == one["display_information"]
    strip = [{k: v for k, v in c.items() if k != "url"} for c in many["features"]["slash_commands"]]
    assert strip == one["features"]["slash_commands"]
