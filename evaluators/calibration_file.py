"""What a calibration file holds (`calibration.json`, `calibrations/*.json` and the cache dir's
fitted ones), as one strict model (`evaluators.strict_files`): every number a grade is made of is
a finite JSON number, each scale above 0, each feature's knots in increasing order (equal knots
are kept: a feature that is 0 in most training answers has several hinges at 0), and a head's
knots, means, scales and coefficients as many as its features make. A key missing where a file
from before it is read as that older file (`signals_version`, a rule's `version`, `identity`,
a rule's section): the version checks then refuse it with their own message, as before."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from evaluators.strict_files import StrictFile

Positive = Annotated[float, Field(gt=0)]


class IdentityFile(StrictFile):
    model: str
    dimension: Annotated[int, Field(gt=0)]
    fingerprint: str


class HeadFile(StrictFile):
    """One head: `Head` in `evaluators.calibration`, which reads each value as itself and then
    max(0, value - knot) for each of its knots, standardised by `mean` and `scale`."""

    features: Annotated[tuple[str, ...], Field(min_length=1)]
    knots: tuple[tuple[float, ...], ...]
    mean: tuple[float, ...]
    scale: tuple[Positive, ...]
    coef: tuple[float, ...]
    intercept: float

    @model_validator(mode="after")
    def _agrees(self) -> Self:
        """Knots in order and shapes that agree: a reversed pair or a short list would not fail
        at a grade, it would move it."""
        if len(self.knots) != len(self.features):
            raise ValueError(f"knots: {len(self.knots)} lists for {len(self.features)} features")
        for index, knots in enumerate(self.knots):
            for earlier, later in pairwise(knots):
                if later < earlier:
                    raise ValueError(
                        f"knots[{index}] ({self.features[index]}): {later} after {earlier}, "
                        "not in increasing order"
                    )
        width = len(self.features) + sum(len(knots) for knots in self.knots)
        for name in ("mean", "scale", "coef"):
            count = len(getattr(self, name))
            if count != width:
                raise ValueError(
                    f"{name}: {count} numbers, but the features and their knots are {width}"
                )
        return self


class OffTopicFit(StrictFile):
    gap: float | None
    min_sim: float | None


class OffTopicSection(StrictFile):
    version: int = 1
    concepts: OffTopicFit | None = None
    reference_only: OffTopicFit | None = None
    other_language: OffTopicFit | None = None


class EvidenceFit(StrictFile):
    min_sim: float | None
    wordless_min_sim: float | None


class EvidenceSection(StrictFile):
    version: int = 1
    concepts: EvidenceFit | None = None
    reference_only: EvidenceFit | None = None
    other_language: EvidenceFit | None = None


class SiblingSection(StrictFile):
    version: int = 1
    margin: float | None = None


class KernelFile(StrictFile):
    """`evaluators.taught.Kernel`: weights exp((cosine - 1) / tau), over their sum plus lam."""

    tau: Positive
    lam: Annotated[float, Field(ge=0)]


class AgreementFile(StrictFile):
    """One cross-validated agreement with people (`evaluators.fitting.metrics.Metrics.as_dict`):
    `quizmaster doctor` shows its Spearman, so a string or an impossible value in it is as wrong
    as one in a head."""

    n: Annotated[int, Field(gt=0)]
    pearson: Annotated[float, Field(ge=-1, le=1)]
    spearman: Annotated[float, Field(ge=-1, le=1)]
    rmse: Annotated[float, Field(ge=0)]
    bias: float
    ms_per_answer: Annotated[float, Field(ge=0)]


class FittedOnFile(StrictFile):
    """What a calibration was fitted on and how it agreed with people then (written by
    `evaluators.fitting.calibration_fit` and `evaluators.fitting.team`): read by no grade, shown
    by `doctor` and the fits. Each key is optional (a hand-made calibration records none)."""

    model: str | None = None
    dev: str | None = None
    external: str | None = None
    train: dict[str, Annotated[int, Field(ge=0)]] | None = None
    """Train answers by data set."""
    team_rows: Annotated[int, Field(ge=0)] | None = None
    cv_by_question: dict[str, AgreementFile] = Field(default_factory=dict)


class CalibrationFile(StrictFile):
    identity: IdentityFile | None = None
    signals_version: int = 1
    heads: dict[str, HeadFile]
    off_topic: OffTopicSection | None = None
    evidence: EvidenceSection | None = None
    siblings: SiblingSection | None = None
    fitted_on: FittedOnFile = Field(default_factory=FittedOnFile)
    """How it agreed with people when it was fitted: a record, read by no grade."""
    team_kernel: KernelFile | None = None

    def section(self, name: str) -> dict[str, Any] | None:
        """A rule's section as its module reads it (`FittedPerHead.read`, `SiblingRule.read`):
        None where the file has none; a head it does not name left out."""
        found = getattr(self, name)
        return None if found is None else found.model_dump(exclude_none=True)
