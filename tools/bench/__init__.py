"""`quizmaster bench`: measurements of the bot against a reference taken in the same run.

Each benchmark times our code path and a stripped-down reference on the same machine in one
process, so the ratios it reports hold even on a noisy shared host where absolute numbers do not.

The bench is a tool for people working on the bot, not part of it: it sits in `tools/bench/`
of a git checkout, beside `bot/`, and ships in no wheel and no image (the rest of `tools/` does).
`quizmaster bench` finds it there on demand, the only way the bot reaches it
(`tests/test_layers.py`).
"""
