"""Tools for working on the bot, beside the product and never part of its run: the grader's
quality harness (`quality/`), the fits only a person runs (`fitting/`), the benchmarks
(`bench/`), the README and settings-page writers (`docs/`) and the install helper.

`bot/`, `content/`, `evaluators/` and `compute/` import nothing from here; only the command
line's tool commands (`quizmaster eval`, `grade`, `bench`, `content check`'s model check)
reach in, from inside the command when it runs (`tests/test_layers.py`)."""
