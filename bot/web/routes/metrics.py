"""GET /metrics: the process's Prometheus metrics for a scraper. With
QUIZMASTER_WEB_METRICS_TOKEN set it needs `Authorization: Bearer <token>`; unset, it answers
loopback clients only (members never see it, and a page behind a proxy on the same host needs
the token or QUIZMASTER_WEB_PROXY_HEADERS, else every visitor looks like loopback)."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.web.deps import WebDep, client_address

router = APIRouter()


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@router.get("/metrics")
async def metrics(request: Request, web: WebDep) -> Response:
    token = web.deps.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            return PlainTextResponse(
                "metrics need Authorization: Bearer <QUIZMASTER_WEB_METRICS_TOKEN>",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif not _loopback(client_address(request)):
        return PlainTextResponse(
            "metrics answer loopback only; set QUIZMASTER_WEB_METRICS_TOKEN to scrape from "
            "elsewhere",
            status_code=403,
        )
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
