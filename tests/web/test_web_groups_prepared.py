"""The answer groups page never encodes inside the request (issue 83: 1,000 answers no one had
encoded took 75.8 s on the first load, and `bench groups` missed its own /healthz target while
it ran). The real page, SQLite file and bundled model, behind a gate that holds the model's
encoding until the test opens it: the page answers while the gate is shut, saying the answers
are being prepared, and the encoding started for them finishes afterwards without another load."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
import pytest

from bot.answer_vectors import ModelVectors
from content.language_tools import kiwi
from evaluators.embedding.sentence_model import load_embedder
from evaluators.embedding.vectors import EmbeddingModel
from tests.web.client import browser, page_text, sign_in
from tests.web.site import MINA, PLATFORM, Site, running_site
from tests.web.test_web_answer_groups import OTHER_IDEA, SAME_IDEA, answered, groups_of

GATE_S = 120  # not a target: how long a shut gate holds at most, so a failing test ends


class GatedModel:
    """The real embedding model, whose `encode` waits for `gate` and records what it encoded:
    the test sees whether a load encoded, and when."""

    def __init__(self, model: EmbeddingModel) -> None:
        self.model = model
        self.gate = threading.Event()
        self.encoded: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.model, name)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        assert self.gate.wait(GATE_S), "the gate was never opened"
        vectors = self.model.encode(list(texts))
        self.encoded += texts
        return np.asarray(vectors, dtype=np.float32)


@pytest.fixture
def gated(tmp_path: Path, model_path: str) -> Iterator[tuple[Site, GatedModel]]:
    kiwi()  # the Korean analyser, loaded as a bot's grader has by then (as `grouping_site`)
    model = GatedModel(load_embedder(model_path, "cpu"))
    try:
        with running_site(tmp_path, vectors=lambda: ModelVectors(model)) as site:  # type: ignore[arg-type]
            yield site, model
    finally:
        model.gate.set()  # a worker thread still waiting ends


def test_a_load_with_unencoded_answers_answers_at_once_and_they_are_encoded_after(
    gated: tuple[Site, GatedModel],
) -> None:
    site, model = gated
    channel = "C-prepared"
    prompt_id = answered(site, channel)
    answers = {*(a.rsplit(" ", 1)[0] for a in SAME_IDEA.values()), OTHER_IDEA[1].rsplit(" ", 1)[0]}
    url = f"{site.url}/c/{PLATFORM}/{channel}/groups/{prompt_id}"
    with browser() as admin:
        sign_in(admin, site.link(MINA, channel))
        started = time.monotonic()
        first = admin.get(url, timeout=httpx.Timeout(30))
        waited = time.monotonic() - started
        assert first.status_code == 200, page_text(first.text)
        assert waited < 10, waited  # before: the load waited for the encoding, the gate held it
        assert "4 answers are still being prepared for grouping" in page_text(first.text)
        assert groups_of(first.text) == [] and model.encoded == []
        index = admin.get(f"{site.url}/c/{PLATFORM}/{channel}/groups")
        assert index.status_code == 200 and model.encoded == []

        model.gate.set()  # the encoding started by the first load goes on, with no load waiting
        deadline = time.monotonic() + GATE_S
        while not answers <= {t.rsplit(" ", 1)[0] for t in model.encoded}:
            assert time.monotonic() < deadline, model.encoded
            time.sleep(0.05)
        encoded = len(model.encoded)
        ready = admin.get(url)
        assert ready.status_code == 200
        assert "still being prepared" not in page_text(ready.text)
        heads = [head for head, _ in groups_of(ready.text)]
        assert heads == ["3 answers · scores 40-75", "1 answer · score 10"]
        assert len(model.encoded) == encoded, "the load after encoded nothing"
