"""The ten training demos: each runs at small settings, draws real PNGs and measures what it claims.

Every demo runs once (cached) at parameters small enough for the whole file to stay well under a
minute on two cores; the assertions are the claims each demo's summary makes, so a demo that stops
showing its effect fails here rather than posting a misleading plot.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any, cast

import annotated_types
import pytest
from pydantic import ValidationError

from compute.catalog import DemoResult, catalog
from compute.demos.numpy_mlp import code_lines
from tests.compute.demo_checks import assert_readable_png

SMALL: dict[str, dict[str, Any]] = {
    "overfitting": {"n_train": 60, "hidden": 256, "epochs": 80},
    "batchnorm": {"depth": 4, "width": 32, "epochs": 3},
    "init": {"layers": 4, "width": 64, "samples": 200},
    "normalization": {"max_steps": 4000},
    "numpy-mlp": {"epochs": 4, "hidden": 32},
    "mlp-vs-cnn": {"epochs": 3},
    "autoencoder": {"epochs": 30},
    "gan": {"steps": 500},
    "word2vec": {"sentences": 600, "epochs": 5, "learning_rate": 0.03},
    "losses": {"epochs": 3, "hidden": 16},
}


@cache
def _run(name: str) -> tuple[DemoResult, tuple[tuple[float, str], ...]]:
    demo = catalog()[name]
    calls: list[tuple[float, str]] = []
    params = demo.params.model_validate(SMALL[name])
    result = demo.run(params, lambda f, m: calls.append((f, m)))
    return result, tuple(calls)


def _metrics(name: str) -> dict[str, Any]:
    return _run(name)[0].metrics


@pytest.mark.parametrize("name", sorted(SMALL))
def test_demo_draws_pngs_and_reports(name: str) -> None:
    result, calls = _run(name)
    assert result.images
    for png in result.images:
        assert_readable_png(png)
        assert 10_000 < len(png) < 3_000_000
    assert result.metrics
    for value in result.metrics.values():
        if isinstance(value, float):
            assert math.isfinite(value)
    assert len(result.summary_ko) > 40
    assert len(result.summary_en) > 40
    fractions = [f for f, _ in calls]
    assert fractions, "progress was never reported"
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


@pytest.mark.parametrize("name", sorted(SMALL))
def test_demo_metadata(name: str) -> None:
    demo = catalog()[name]
    assert demo.name == name
    assert demo.title_ko
    assert demo.title_en
    assert demo.description_ko
    assert demo.description_en
    assert 0 < demo.expected_seconds <= 20
    assert demo.prompt_ids
    assert all(pid[0] in "qx" for pid in demo.prompt_ids)
    assert demo.params().seed == 0


@pytest.mark.parametrize("name", sorted(SMALL))
def test_params_reject_unknown_and_out_of_range(name: str) -> None:
    params = catalog()[name].params
    with pytest.raises(ValidationError):
        params.model_validate({"nonsense": 1})
    bounded = 0
    for field, info in params.model_fields.items():
        for bound in info.metadata:
            if isinstance(bound, annotated_types.Le):
                with pytest.raises(ValidationError, match=field):
                    params.model_validate({field: cast(float, bound.le) * 2 + 1})
                bounded += 1
            if isinstance(bound, annotated_types.Ge):
                with pytest.raises(ValidationError, match=field):
                    params.model_validate({field: cast(float, bound.ge) - 1})
    assert bounded == len(params.model_fields), "every field needs an upper bound"


def test_cancel_from_progress_propagates() -> None:
    demo = catalog()["numpy-mlp"]

    def cancel(fraction: float, message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        demo.run(demo.params.model_validate({"epochs": 2}), cancel)


def test_same_seed_same_metrics_other_seed_differs() -> None:
    demo = catalog()["word2vec"]
    small = {"sentences": 300, "epochs": 1}
    first = demo.run(demo.params.model_validate(small), lambda f, m: None).metrics
    again = demo.run(demo.params.model_validate(small), lambda f, m: None).metrics
    other = demo.run(demo.params.model_validate({**small, "seed": 1}), lambda f, m: None).metrics
    assert first == again
    assert first["cos_man_woman"] != other["cos_man_woman"]


def test_overfitting_validation_loss_rises_without_regularisation() -> None:
    m = _metrics("overfitting")
    assert m["val_loss_rise_plain"] > 0.02
    assert m["final_train_loss_plain"] < 0.01
    assert m["final_val_loss_l2"] < m["final_val_loss_plain"]
    assert 1 <= m["early_stop_best_epoch"] <= m["early_stop_epoch"] <= 80
    for variant in ("plain", "dropout", "l2"):
        assert 0.5 < m[f"best_val_acc_{variant}"] <= 1.0


def test_batchnorm_train_mode_inference_hurts() -> None:
    m = _metrics("batchnorm")
    assert m["final_train_loss_bn"] < m["final_train_loss_plain"]
    assert m["acc_eval_mode"] > 0.8
    assert m["acc_eval_mode"] - m["acc_train_mode_single_class_batches"] > 0.3
    assert m["acc_train_mode_batch2"] < m["acc_eval_mode"]


def test_init_zero_dies_tiny_collapses_xavier_and_he_hold() -> None:
    m = _metrics("init")
    for activation in ("tanh", "relu"):
        assert m[f"last_std_zero_{activation}"] == 0.0
        assert m[f"last_std_small_{activation}"] < 1e-3
    assert m["last_std_xavier_tanh"] > 0.1
    assert m["last_std_he_relu"] > 0.3
    assert m["last_std_he_relu"] > 2 * m["last_std_xavier_relu"]


def test_normalization_standardised_converges_much_faster() -> None:
    m = _metrics("normalization")
    assert m["reached_raw"]
    assert m["reached_standardized"]
    assert m["steps_to_threshold_standardized"] <= 10
    assert m["steps_to_threshold_raw"] > 20 * m["steps_to_threshold_standardized"]
    assert m["condition_number_raw"] > 100 * m["condition_number_standardized"]


def test_numpy_mlp_counts_its_lines_and_learns() -> None:
    m = _metrics("numpy-mlp")
    assert 20 <= m["code_lines"] <= 100
    assert 5 <= m["sgd_step_lines"] < m["code_lines"]
    assert m["test_accuracy"] > 0.85


def test_code_lines_skips_blanks_comments_and_docstrings() -> None:
    source = (
        '"""Module doc."""\n'
        "\n"
        "# comment\n"
        "x = 1  # trailing\n"
        "\n"
        "\n"
        "def f():\n"
        '    """Doc\n'
        '    more."""\n'
        "    return (x +\n"
        "            1)\n"
    )
    assert code_lines(source) == {4, 7, 10, 11}


def test_mlp_vs_cnn_cnn_is_smaller_and_both_learn() -> None:
    m = _metrics("mlp-vs-cnn")
    assert m["params_cnn"] < m["params_mlp"]
    assert m["params_mlp"] == 64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10
    assert m["test_acc_mlp"] > 0.8
    assert m["test_acc_cnn"] > 0.6


def test_autoencoder_error_falls_with_latent_size() -> None:
    m = _metrics("autoencoder")
    assert m["recon_mse_dim1"] > m["recon_mse_dim2"] > m["recon_mse_dim8"]
    assert m["recon_mse"] == [m["recon_mse_dim1"], m["recon_mse_dim2"], m["recon_mse_dim8"]]


def test_gan_samples_move_onto_the_modes() -> None:
    m = _metrics("gan")
    shares = m["near_mode_fraction_by_snapshot"]
    assert shares[-1] == m["near_mode_fraction"]
    assert shares[-1] > shares[0] + 0.2
    assert 1 <= m["modes_covered"] <= m["modes"] == 8
    assert sum(m["samples_per_mode"]) <= 2000
    assert m["snapshot_steps"][0] == 0
    assert m["snapshot_steps"][-1] == 500


def test_word2vec_man_is_nearer_woman_than_car() -> None:
    m = _metrics("word2vec")
    assert m["cos_man_woman"] > m["cos_man_car"] + 0.2
    assert len(m["top_contexts_man"]) == 5
    assert "는" not in m["top_contexts_man"]


def test_losses_bce_gradient_survives_where_mse_vanishes() -> None:
    m = _metrics("losses")
    sigma = 1 / (1 + math.exp(5.0))
    assert m["grad_bce_at_minus5"] == pytest.approx(1 - sigma, rel=1e-5)
    assert m["grad_mse_at_minus5"] == pytest.approx(2 * (1 - sigma) ** 2 * sigma, rel=1e-4)
    assert m["grad_bce_at_minus5"] > 50 * m["grad_mse_at_minus5"]
    assert m["test_acc_bce"] > m["test_acc_mse"]
