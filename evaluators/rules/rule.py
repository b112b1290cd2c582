"""What a rule is, whatever it checks: the flag it raises, the cap it sets, its message (by key,
in the grader's catalogue), whether it withholds concept credit, and (where its numbers are
fitted per model) the version they were fitted under and the fitting module. A rule that fires
gives a `Fired`: its flag, its cap, the words its message fills in (another question's wording,
the answer's own words) and why, in words, for `quizmaster grade --explain`.

Three kinds run at three points of `scoring`: a `Screen` reads the answer's text before it is
measured (and may decide the grade alone), a `Judge` reads its measurement once the head has
scored it, and the hint's cap comes last; the truncation rule cuts the text first of all."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

from content.schema import Lang, Localized, Prompt
from evaluators.features.feature import Profile
from evaluators.features.measurement import Measurement
from evaluators.grade import Flag
from evaluators.texts import GRADER

Words = str | Localized
"""What a message fills in: the same in both languages (the answer's own words), or one wording
per language (another question's)."""

Fit = TypeVar("Fit")


def fitted_section(
    section: Mapping[str, Any] | None, *, version: int, path: Path, what: str, required: bool
) -> Mapping[str, Any]:
    """A calibration file's section of one rule's fitted numbers, checked against the rule's
    `version`: numbers fitted under another version are refused (the calibration is refitted).
    A file from before the rule has no section: refused as version 1 when it is `required`,
    else read as the rule with nothing fitted (it never fires until `quizmaster eval fit`)."""
    found = section or ({} if required else {"version": version})
    if found.get("version") != version:
        raise ValueError(
            f"{path}: {what} fitted for rule version {found.get('version', 1)}, not {version}"
        )
    return found


@dataclass(frozen=True)
class FittedPerHead:
    """The numbers a rule fits for each head, one optional field each (None: no setting
    helped): read from and written to the rule's section of a calibration file, under the
    rule's `version`. `what` names them in an error; `required`: a file from before the rule is
    refused (refitted) rather than read as the rule with nothing fitted."""

    version: ClassVar[int]
    what: ClassVar[str]
    required: ClassVar[bool]

    @classmethod
    def read(
        cls, section: Mapping[str, Any] | None, heads: Iterable[str], path: Path
    ) -> dict[str, Self]:
        """Each head's numbers in a calibration file's section (see `fitted_section`)."""
        fitted = fitted_section(
            section, version=cls.version, path=path, what=cls.what, required=cls.required
        )
        named = set(heads)
        names = [number.name for number in fields(cls)]
        return {
            head: cls(**{name: numbers.get(name) for name in names})
            for head, numbers in fitted.items()
            if head in named
        }

    @classmethod
    def written(cls, fits: Mapping[str, Self]) -> dict[str, Any]:
        """The rule's section of a calibration file: its version, and each head's numbers."""
        return {"version": cls.version, **{name: asdict(fit) for name, fit in fits.items()}}


@dataclass(frozen=True)
class Fired:
    """One rule that fired on one answer. `cap`: the most the answer may score (None: no cap).
    `words`: what its message fills in. `reason`: why, for `--explain`. `other`: the other
    question the answer answers instead, which the message names."""

    flag: Flag
    cap: int | None = None
    words: Mapping[str, Words] = field(default_factory=dict)
    reason: str | None = None
    other: Prompt | None = None


class Rule:
    """A rule's declarations; each kind below adds its check."""

    flag: ClassVar[Flag]
    cap: ClassVar[int | None] = None
    withholds_credit: ClassVar[bool] = False
    """An answer it fires on is credited no key concept: naming a term in an answer to another
    question, or in no answer at all, is no achievement."""
    version: ClassVar[int | None] = None
    """Which version of the rule its fitted numbers were fitted under (None: nothing fitted); a
    calibration fitted under another is refitted."""
    fitted_in: ClassVar[str | None] = None
    """The module that fits its numbers (None: nothing fitted)."""

    def fired(
        self,
        *,
        cap: int | None = None,
        words: Mapping[str, Words] | None = None,
        reason: str | None = None,
        other: Prompt | None = None,
    ) -> Fired:
        """This rule's `Fired`: with its own cap unless given another."""
        return Fired(
            self.flag,
            self.cap if cap is None else cap,
            words=dict(words or {}),
            reason=reason,
            other=other,
        )

    def withholds(self, fired: Fired) -> bool:
        """Whether this firing withholds concept credit (`withholds_credit`, unless a rule
        reads it from what it found)."""
        return self.withholds_credit

    def tells(self, fired: Fired, *, score: int, flags: frozenset[Flag]) -> bool:
        """Whether the member is told this rule fired, given the final `score` and every flag
        that fired (a rule may leave the telling to another)."""
        return True

    @property
    def message_key(self) -> str:
        """Its message's key in the grader's catalogue (`evaluators/texts.yaml`): `rule_` and
        its flag. The message may name `{question}` (the prompt's wording), `{cap}` (the cap it
        set) and any of the words its `Fired` carries."""
        return f"rule_{self.flag.value}"

    @property
    def message_keys(self) -> tuple[str, ...]:
        """Every message it may say (one, unless it names kinds of what it found)."""
        return (self.message_key,)

    def say(self, fired: Fired, lang: Lang, *, question: Localized) -> str:
        """The message in `lang`, filled in."""
        words = {
            key: value.get(lang) if isinstance(value, Localized) else value
            for key, value in fired.words.items()
        }
        return GRADER.text(
            lang, self.message_key, question=question.get(lang), cap=fired.cap or 0, **words
        )


class Screen(Rule, ABC):
    """Reads the answer's text before it is measured. A deciding screen (`decides`) gives the
    answer 0 and nothing else runs; any other caps the grade the head gives."""

    decides: ClassVar[bool] = False

    @abstractmethod
    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        """Fired when `text` (the answer to `prompt`; `revealed`: its model answer was shown)
        is what this screen looks for."""


@dataclass(frozen=True)
class Judged:
    """An answer the head has scored, as a judge reads it: the prompt, the answer's text and
    measurement, the head that scored it, the numbers the calibration fitted for each rule
    (by their class: `fit`), and what fired before."""

    prompt: Prompt
    text: str
    measurement: Measurement
    profile: Profile
    fits: Mapping[type, object]
    fired: tuple[Fired, ...] = ()
    other_answer_grade: int | None = None
    """What the same head gives the model answer of the other question the answer comes
    nearest, asked here (None without one): the off-topic rule reads it."""

    def fit(self, kind: type[Fit]) -> Fit:
        """The calibration's fitted numbers of kind `kind` for this head; without any, the
        kind's defaults (with which a fitted rule never fires)."""
        found = self.fits.get(kind)
        return found if isinstance(found, kind) else kind()

    def has(self, flag: Flag) -> bool:
        return any(f.flag is flag for f in self.fired)


class Judge(Rule, ABC):
    """Reads the measurement of an answer the head has scored."""

    @abstractmethod
    def judge(self, judged: Judged) -> Fired | None:
        """Fired when the measured answer is what this rule looks for."""
