"""Features of confident wrong claims: sweeping words and flipped polarity that no model answer
uses."""

from __future__ import annotations

from evaluators.features.feature import Feature

ABSOLUTES = Feature(
    "absolutes",
    "sweeping words (always, never, 항상) that no model answer uses",
    lambda s: float(s.claims.absolutes),
    heads=("concepts", "reference_only"),
)
FLIPS = Feature(
    "flips",
    "polarity flipped against the model answers (more/fewer, 가능/불가능)",
    lambda s: float(s.claims.flips),
    heads=("concepts", "reference_only"),
)

FEATURES = (ABSOLUTES, FLIPS)
