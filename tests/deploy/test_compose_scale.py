"""docker-compose.scale.yml, checked statically like the other compose files: PostgreSQL (the
official image, a volume, a health check), two bot replicas on it that split Discord's shards,
and settings every replica accepts (issue 17)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.config import Settings
from tests.deploy.compose_files import BASE, ROOT, load, merge

SCALE = ROOT / "docker-compose.scale.yml"
REPLICAS = ("bot", "bot-2")
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}")


def interpolated(value: str) -> str:
    """`value` as compose fills it from a .env that sets the required variables: `${X:-d}` is
    its default, a required `${X:?why}` a stand-in secret."""
    return _VARIABLE.sub(lambda m: m.group(3) if m.group(2) == "-" else "s3cret", value)


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    result = merge(load(BASE), load(SCALE))
    assert isinstance(result, dict)
    return result


def test_postgres_runs_the_official_image_with_a_volume_and_a_health_check(
    merged: dict[str, Any],
) -> None:
    postgres = merged["services"]["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert postgres["volumes"] == ["quizmaster-postgres:/var/lib/postgresql/data"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["networks"] == ["internal"] and "ports" not in postgres
    assert "quizmaster-postgres" in merged["volumes"]


def test_two_replicas_share_postgres_and_split_the_shards(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    shards = []
    for name in REPLICAS:
        service = merged["services"][name]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["image"] == merged["services"]["bot"]["image"], name
        for variable, value in service["environment"].items():
            monkeypatch.setenv(variable, interpolated(str(value)))
        settings = Settings(_env_file=None)
        assert str(settings.db) == "postgresql://quizmaster:s3cret@postgres:5432/quizmaster", name
        shards.append((settings.discord_shard_count, settings.discord_shards))
    assert shards == [(2, (0,)), (2, (1,))]


def test_replicas_need_no_start_order_between_them(merged: dict[str, Any]) -> None:
    """Migrations run under the database's lock (issue 41), so no replica waits for another."""
    for name in REPLICAS:
        assert not set(merged["services"][name].get("depends_on", {})) & set(REPLICAS), name
