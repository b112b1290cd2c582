"""Plain twins of the demos: the reference `quizmaster bench demos` times each demo against.

A demo's run is its training plus everything around it: progress callbacks, plots, figure data,
summaries and the result object. To say what that costs, the bench times the demo at its defaults
and, beside it, a twin: the same data, model, initialisation, optimizer, epochs and batch size,
written as plainly as a person would write it in a notebook, with none of the extras. Each twin
returns a few headline numbers under the demo's own metric keys; the tests check that they agree
with the demo's, which is what makes the twin a fair reference rather than a different workload.

Only the demos the bench judges have a twin: those whose plain work takes at least 50 ms. Below
that (activations, relu-approx and gradient-descent took 14 ms, 0.2 ms and 11 µs) a run's fixed
costs decide the ratio, so the bench times those demos alone.

Twins read their settings from the demo's Params class so that defaults never drift, and load
their data with the demo's own loader (the digits split, the word2vec corpus, the houses), but
share no model, training loop or helper with the demo. A twin mirrors the defaults only: a
choice-valued default (a surface, a target curve, an init scheme) is written in, and the tests
catch a change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tools.bench.plain import (
    autoencoder,
    batch_size,
    batchnorm,
    gan,
    init,
    local_minima,
    losses,
    mlp_vs_cnn,
    normalization,
    numpy_mlp,
    optimizers,
    overfitting,
    word2vec,
)

SCRIPTS: Mapping[str, Callable[[], Mapping[str, float]]] = {
    "autoencoder": autoencoder.train,
    "batch-size": batch_size.train,
    "batchnorm": batchnorm.train,
    "gan": gan.train,
    "init": init.train,
    "local-minima": local_minima.train,
    "losses": losses.train,
    "mlp-vs-cnn": mlp_vs_cnn.train,
    "normalization": normalization.train,
    "numpy-mlp": numpy_mlp.train,
    "optimizers": optimizers.train,
    "overfitting": overfitting.train,
    "word2vec": word2vec.train,
}
"""Demo name (`DEMO.name`) to its twin's `train`, which returns headline metrics by demo key."""
