"""The fits a person runs from the command line, on top of the product's calibration fit
(`evaluators.fitting`, which a bot runs itself for a model with no calibration): a team's
calibration from its own grades, the answer-group threshold, and which answers to teach."""
