"""The grader measured and taught from the command line: `quizmaster eval`, `grade`, `teach`,
the held-out sets and their reports. Nothing that serves a live grade imports this room."""
