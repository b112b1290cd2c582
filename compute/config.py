"""Limits and secrets of the compute service, and the rule about where it may listen.

The service reads its own `QUIZMASTER_COMPUTE_*` variables, so a container can tune it without the
bot; a bot process that starts or checks a service hands over the token it shares with it.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceConfig(BaseSettings):
    """Queue, worker, time and cache limits of one service process."""

    model_config = SettingsConfigDict(
        env_prefix="QUIZMASTER_COMPUTE_", env_file=".env", extra="ignore", frozen=True
    )

    token: SecretStr | None = Field(
        None, description="Bearer token required on every route but /healthz; unset: none."
    )
    workers: int | None = Field(
        None, ge=1, le=32, description="Demos run at once; unset: 2 on a GPU, cores/2 on CPU."
    )
    queue_size: int = Field(16, ge=1, le=1000, description="Jobs that may wait for a worker.")
    job_timeout_s: float = Field(
        60.0, gt=0, allow_inf_nan=False, description="A running job is killed after this."
    )
    cancel_grace_s: float = Field(
        3.0,
        gt=0,
        allow_inf_nan=False,
        description="After a cancel, how long a demo may take to stop before a kill.",
    )
    cache_ttl_s: float = Field(
        3600.0, gt=0, allow_inf_nan=False, description="How long results and job records live."
    )
    cache_entries: int = Field(64, ge=0, description="Results kept for repeated requests.")
    job_records: int = Field(256, ge=1, description="Finished jobs kept for polling.")
    embedding_model: str | None = Field(
        None,
        description="Model POST /v1/embeddings serves (sentence-transformers name or folder, "
        "loaded on the first request); unset: the bundled all-MiniLM-L6-v2.",
    )
    max_body_bytes: int = Field(
        1_048_576,
        ge=1024,
        le=64 * 1_048_576,
        description="Largest request body accepted (413 above it), checked before it is read.",
    )
    docs: bool = Field(
        False, description="Serve /docs, /redoc and /openapi.json (behind the token like the rest)."
    )

    @classmethod
    def with_token(cls, token: SecretStr | None) -> ServiceConfig:
        """Limits from the environment and `token`, the one the caller shares with the service;
        None leaves QUIZMASTER_COMPUTE_TOKEN to decide."""
        if token is None:
            return cls()
        return cls(token=token)


class InsecureBindError(ValueError):
    """Raised instead of listening off loopback without a token: anyone could run jobs."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses; names other than localhost count as public."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: SecretStr | None) -> None:
    """Refuse a public address without a token, naming the fix."""
    if not is_loopback(host) and (token is None or not token.get_secret_value()):
        raise InsecureBindError(
            f"refusing to serve on {host} without a token: anyone who can reach it could run "
            "jobs. Set QUIZMASTER_COMPUTE_TOKEN (shared with the bot) or pass --token-file, "
            "or bind to 127.0.0.1."
        )
