"""Fitting and measuring the calibration from human-graded answers, apart from serving: it reads
answers through a small feature source and scores them with the shared scoring function, and
never imports the live grader."""
