"""`quizmaster bench`: measurements of the bot against a reference taken in the same run.

Each benchmark times our code path and a stripped-down reference on the same machine in one
process, so the ratios it reports hold even on a noisy shared host where absolute numbers do not.
"""
