"""One running web page per test worker: starting it (and its history) once keeps the suite
fast; tests only read it, or sign in with links of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.site import Site, running_site


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("web-site")) as running:
        yield running
