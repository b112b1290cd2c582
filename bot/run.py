"""`quizmaster run`: start the bot on the configured platform."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app import open_service
from bot.config import Settings
from bot.logs import LOG_FILE_NAME, log_to_file
from content.loader import BankError


def missing_settings(settings: Settings) -> str | None:
    """What the chosen platform still needs, checked before anything slow (the model) loads."""
    if settings.platform == "slack":
        from bot.platforms.slack.runner import SlackSettingsError, check_settings

        try:
            check_settings(settings)
        except SlackSettingsError as exc:
            return str(exc)
    if settings.platform == "discord" and settings.discord_token is None:
        return "Discord needs: QUIZMASTER_DISCORD_TOKEN (Developer Portal > Bot > Token)"
    return None


async def _serve(settings: Settings) -> int:
    async with open_service(settings) as service:
        if settings.platform == "console":
            from bot.platforms import console

            image_dir = settings.db.resolve().parent / "quizmaster-images"
            return await console.run(
                service, stdin=sys.stdin, stdout=sys.stdout, image_dir=image_dir
            )
        if settings.platform == "slack":
            from bot.platforms.slack import runner as slack_runner

            await slack_runner.run(settings, service)
            return 0
        from bot.platforms.discord import runner as discord_runner

        await discord_runner.run(settings, service)
        return 0


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster run", description="Start the bot.")
    parser.add_argument("--platform", choices=["console", "slack", "discord"])
    parser.add_argument("--db", type=Path, help="SQLite file (default ./quizmaster.db)")
    args = parser.parse_args(argv)
    updates: dict[str, object] = {}
    if args.platform:
        updates["platform"] = args.platform
    if args.db:
        updates["db"] = args.db
    settings = settings.model_copy(update=updates)
    missing = missing_settings(settings)
    if missing is not None:
        print(f"quizmaster: {missing}", file=sys.stderr)
        return 2
    if settings.platform == "console":
        log_path = settings.db.resolve().parent / LOG_FILE_NAME
        log_to_file(log_path, settings.log_level)
        print(f"quizmaster: log in {log_path}", file=sys.stderr)
    try:
        return asyncio.run(_serve(settings))
    except BankError as exc:
        print(f"quizmaster: bank error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
