"""`quizmaster bench`: measurements of the bot against a reference taken in the same run.

Each benchmark times our code path and a stripped-down reference on the same machine in one
process, so the ratios it reports hold even on a noisy shared host where absolute numbers do not.

The bench is a tool for people working on the bot, not part of it: it sits beside `bot/` in a
git checkout and ships in no wheel and no image. `quizmaster bench` finds it there on demand, and
only the CLI's bench command may import it (`tests/test_layers.py`).
"""
