"""An answer whose main claims say the opposite of the model answers (REVERSED): the roles of
the two sides a question names swapped ("ReLU saturates", "sigmoid's gradient is 1"), or one of
a pair of opposites said where the model answer says the other (fewer and more, connected and
separated), about the same things. Sentence vectors read such an answer as the model answer
itself: it uses the same words. It is graded as wrong, credited no concept, and told which claim
is reversed, in its own words.

"Main claims": more of the answer's clauses that `reading.contrasts` can check say the opposite
by roles or opposites than agree, and they make at least a third of its clauses. Nothing is fitted:
the sides come from the question and its model answers, the opposites from a written list of
everyday pairs (`reading.opposites`), so a team's bank needs no annotation."""

from __future__ import annotations

from evaluators.grade import Flag
from evaluators.rules.rule import Fired, Judge, Judged

REVERSED_CAP = 20
"""The most an answer that says the opposite may score: graded as wrong (below `partial`)."""


class ReversedClaims(Judge):
    flag = Flag.REVERSED
    cap = REVERSED_CAP
    withholds_credit = True

    def judge(self, judged: Judged) -> Fired | None:
        found = judged.measurement.found
        if not found.claims.mostly_reversed:
            return None
        claims = found.claims
        quoted = dict(zip(claims.reversed, found.quotes, strict=True))
        claim = next((quoted[r] for r in claims.strong if quoted[r].strip()), "")
        return self.fired(
            words={"claim": claim.strip()},
            reason=f"{len(claims.strong)} of its claims reversed by roles or opposites, "
            f"{len(claims.reversed) - len(claims.strong)} negated where a model answer is not, "
            f"{claims.agreeing} agreeing, of {claims.clauses} clauses",
        )

    def tells(self, fired: Fired, *, score: int, flags: frozenset[Flag]) -> bool:
        """A swap of two roles already told names the sides; this note would repeat it."""
        return Flag.SWAPPED not in flags


RULE = ReversedClaims()
