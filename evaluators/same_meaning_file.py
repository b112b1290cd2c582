"""What `same_meaning.json` holds (each embedding model's answer-group threshold, by its
identity's key), as one strict model (`evaluators.strict_files`), like every other file the
grader reads: a threshold is a cosine above 0 and at most 1 written as a JSON number (a string,
0 or a negative one would put every answer in one group, or none), each entry is filed under the
key of the identity it names, and the fit's record has exact types. A file that fails is refused
naming the field, never a KeyError at the first groups page."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import ConfigDict, Field, RootModel, model_validator

from evaluators.calibration_file import IdentityFile
from evaluators.embedding.identity import ModelIdentity
from evaluators.strict_files import StrictFile

Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]


class GroupFitRecord(StrictFile):
    """How the threshold was chosen (`evaluators.fitting.group_threshold.ThresholdFit
    .fitted_on`): read by no grouping, only shown; a threshold set by hand names only `data`."""

    data: str
    objective: str | None = None
    threshold: Annotated[float, Field(gt=0, le=1)] | None = None
    answers: Count | None = None
    groups: Count | None = None
    purity: Share | None = None
    grouped: Share | None = None
    lowest_purity: Share | None = None


class ThresholdEntry(StrictFile):
    identity: IdentityFile
    threshold: Annotated[float, Field(gt=0, le=1)]
    fitted_on: GroupFitRecord


class SameMeaningFile(RootModel[dict[str, ThresholdEntry]]):
    """The whole file: at least one model's threshold, each under its identity's key."""

    model_config = ConfigDict(strict=True, frozen=True)

    @model_validator(mode="after")
    def _keyed_by_identity(self) -> Self:
        if not self.root:
            raise ValueError("no model's threshold")
        for key, entry in self.root.items():
            named = ModelIdentity.from_dict(entry.identity.model_dump()).key
            if key != named:
                raise ValueError(f"{key}: filed under another key than its identity's ({named})")
        return self
