"""Every feature a calibration head may read, declared once, one module per family. The list of
features, each head's inputs and the version a calibration file is checked against all come
from `FEATURES`: a feature is added by adding its entry to its family's module."""

from __future__ import annotations

from collections.abc import Mapping

from evaluators.features import claims, concepts, length, lexical, similarity
from evaluators.features.feature import Feature, Profile
from evaluators.features.raw import Measures

FEATURES: tuple[Feature, ...] = (
    *similarity.FEATURES,
    *concepts.FEATURES,
    *lexical.FEATURES,
    *claims.FEATURES,
    *length.FEATURES,
)
BY_NAME: Mapping[str, Feature] = {feature.name: feature for feature in FEATURES}
NAMES: tuple[str, ...] = tuple(BY_NAME)
PROFILES: tuple[Profile, ...] = ("concepts", "reference_only", "other_language")
HEAD_INPUTS: Mapping[Profile, tuple[str, ...]] = {
    profile: tuple(f.name for f in FEATURES if profile in f.heads) for profile in PROFILES
}

VERSION = 18
"""What the features read. A calibration file records it and counts as missing (refitted) when it
differs; bump it when a feature's computation changes (a head's inputs are checked by name)."""


def values(measures: Measures) -> dict[str, float]:
    """Every feature of one answer by name, a stand-in's value where one cannot be computed."""
    out: dict[str, float] = {}

    def value(feature: Feature) -> float:
        if feature.name not in out:
            computed = feature.of(measures)
            if computed is None:
                if feature.stand_in is None:
                    raise ValueError(f"feature {feature.name} has no value and no stand-in")
                computed = value(BY_NAME[feature.stand_in])
            out[feature.name] = computed
        return out[feature.name]

    for feature in FEATURES:
        value(feature)
    return {name: out[name] for name in NAMES}


__all__ = [
    "FEATURES",
    "HEAD_INPUTS",
    "NAMES",
    "VERSION",
    "Feature",
    "Measures",
    "Profile",
    "values",
]
