"""Dependencies shared by the routes: the job manager, the catalog, and the bearer-token check."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from compute.catalog import Demo
from compute.config import ServiceConfig
from compute.jobs import JobManager


def get_config(request: Request) -> ServiceConfig:
    config: ServiceConfig = request.app.state.config
    return config


def get_jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


def get_demos(request: Request) -> Mapping[str, Demo]:
    demos: Mapping[str, Demo] = request.app.state.demos
    return demos


def require_token(
    config: Annotated[ServiceConfig, Depends(get_config)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """With a token configured, every request must carry `Authorization: Bearer <token>`."""
    if config.token is None:
        return
    scheme, _, presented = (authorization or "").partition(" ")
    expected = config.token.get_secret_value()
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )


JobsDep = Annotated[JobManager, Depends(get_jobs)]
DemosDep = Annotated[Mapping[str, Demo], Depends(get_demos)]
