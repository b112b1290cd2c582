"""The grader measured and taught from the command line: `quizmaster eval`, `grade`, `teach`,
the held-out sets and their reports. A tool beside the product: nothing in `bot/` or
`evaluators/` imports it (`tests/test_layers.py`)."""
