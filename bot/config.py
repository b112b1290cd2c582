"""Settings from the environment and `.env` (prefix `QUIZMASTER_`), validated at start.

Every field here is documented in `.env.example`; secrets are `SecretStr` so they never print.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Settings(BaseSettings):
    """All configuration of a quizmaster process."""

    model_config = SettingsConfigDict(
        env_prefix="QUIZMASTER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    platform: Literal["console", "slack", "discord"] = Field(
        "console", description="Where the bot runs."
    )
    db: Path = Field(Path("quizmaster.db"), description="SQLite database file.")
    bank_dir: Path | None = Field(
        None, description="Folder of team banks (*.yaml) loaded beside the seed bank."
    )
    lang: Literal["ko", "en"] = Field("ko", description="Default UI language of new channels.")
    timezone: str = Field("Asia/Seoul", description="Default IANA timezone of new channels.")
    post_time: str = Field("09:00", description="Default local time (HH:MM) of the daily question.")
    days: str = Field(
        "weekdays", description="Default posting days: daily, weekdays, or e.g. mon,wed,fri."
    )
    catch_up: bool = Field(
        True, description="After downtime, post a missed day's question once (false: skip it)."
    )
    hint_cap: int = Field(80, ge=0, le=100, description="Score cap on a prompt after /quiz hint.")
    practice_thresholds: tuple[int, int, int] = Field(
        (40, 65, 85),
        description="Practice: a score below the 1st is rated Again, below the 2nd Hard, below "
        "the 3rd Good, otherwise Easy (JSON, e.g. [40,65,85]).",
    )
    practice_step_days: int = Field(
        1, ge=1, le=30, description="Practice: days until a new or missed card comes back."
    )
    prefer_due: bool = Field(
        False,
        description="Daily question: among unposted ones, prefer the prompt whose practice card "
        "is due for the most members active in the last 14 days.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO",
        description="Log level of quizmaster's own records; libraries log from WARNING up unless "
        "it is DEBUG. The console logs to quizmaster.log next to the database.",
    )

    embedding_model: str = Field(
        "intfloat/multilingual-e5-small",
        description="sentence-transformers model name or folder, or 'bundled'; a named model "
        "that cannot be loaded falls back to the bundled all-MiniLM-L6-v2 with a warning. Left "
        "unset and offline without it downloaded, the bundled model is used quietly.",
    )
    embedding_device: Literal["auto", "cuda", "mps", "cpu"] = Field(
        "auto", description="Device for embeddings: auto picks cuda > mps > cpu."
    )
    cache_dir: Path = Field(
        Path(".cache/quizmaster"), description="Reference-embedding and demo caches."
    )

    demos: bool = Field(True, description="Offer /demo (false: the command says it is off).")
    compute_url: str | None = Field(
        None, description="Compute service URL; unset: start it embedded on loopback."
    )
    compute_token: SecretStr | None = Field(
        None, description="Bearer token shared by bot and compute service (required off loopback)."
    )
    demo_rate_per_hour: int = Field(6, ge=1, description="Demo runs a member may start per hour.")

    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-...).")
    slack_app_token: SecretStr | None = Field(
        None, description="Slack app-level token (xapp-...) for Socket Mode."
    )
    slack_signing_secret: SecretStr | None = Field(
        None, description="Slack signing secret for the HTTP Events API."
    )
    slack_mode: Literal["socket", "http"] = Field("socket", description="Slack transport.")
    slack_port: int = Field(3000, ge=1, le=65535, description="Port of the HTTP Events API server.")
    slack_api_url: str = Field(
        "https://slack.com/api/", description="Slack Web API base URL (GovSlack uses another)."
    )
    slack_followups: Literal["thread", "ephemeral"] = Field(
        "thread", description="Where follow-up questions go: in the thread or only to the user."
    )

    discord_token: SecretStr | None = Field(None, description="Discord bot token.")
    discord_guild_id: int | None = Field(
        None, description="Sync commands to this guild only (instant); unset: global sync."
    )
    discord_message_content: bool = Field(
        False, description="Enable the message-content intent: plain thread messages are answers."
    )
    discord_score_visibility: Literal["ephemeral", "thread"] = Field(
        "thread", description="Show scores only to the member, or in the day's thread."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {value!r} (e.g. Asia/Seoul)") from None
        return value

    @field_validator("practice_thresholds")
    @classmethod
    def _rising(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        again, hard, good = value
        if not 0 < again < hard < good <= 100:
            raise ValueError(f"{list(value)} must rise within 1..100, e.g. [40,65,85]")
        return value

    @field_validator("post_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a 24-hour HH:MM time")
        return value


def describe_errors(exc: ValidationError) -> str:
    """One line per bad setting, naming the environment variable and the bad value."""
    lines = []
    for err in exc.errors():
        name = "QUIZMASTER_" + "_".join(str(p) for p in err["loc"]).upper()
        value = err.get("input")
        shown = "" if isinstance(value, dict) else f" (got {value!r})"
        lines.append(f"{name}: {err['msg'].removeprefix('Value error, ')}{shown}")
    return "\n".join(lines)
