"""Dependencies shared by the routes: the job runner, the catalog, and the bearer-token check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from compute.api.edge import token_matches
from compute.catalog import Demo
from compute.config import ServiceConfig
from compute.job_runner import JobRunner


def get_config(request: Request) -> ServiceConfig:
    config: ServiceConfig = request.app.state.config
    return config


def get_jobs(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs


def get_demos(request: Request) -> Mapping[str, Demo]:
    demos: Mapping[str, Demo] = request.app.state.demos
    return demos


def require_token(
    config: Annotated[ServiceConfig, Depends(get_config)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """With a token configured, every request must carry `Authorization: Bearer <token>`.
    `EdgeGuard` already refused a request without it before its body was read; this dependency
    keeps the rule visible on each router (and in the OpenAPI schema)."""
    if config.token is None:
        return
    if not token_matches(authorization, config.token.get_secret_value()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )


JobsDep = Annotated[JobRunner, Depends(get_jobs)]
DemosDep = Annotated[Mapping[str, Demo], Depends(get_demos)]
