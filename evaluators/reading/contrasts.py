"""Whether an answer's claims say what the model answers say or the opposite, clause by clause.

Three readings, each against the prompt's own question and references, so a team's bank needs
no annotation:

- **Sides**: where the question names two or more things (ReLU and sigmoid, CNN and MLP,
  training and test set) that the references each make claims about, a word the references say
  of one side only is a property of that side. An answer clause about one side that gives it a
  property of another ("ReLU saturates", "sigmoid's gradient is 1") swaps the roles.
- **Opposites**: a clause that says one of a pair of opposites (`reading.opposites`: more and
  fewer, connected and separated, 증가 and 감소) where a reference clause about the same things
  says the other, read through negation ("not connected" is "separated"). A covariation's two
  halves are one claim (`claims`: "τ가 작을수록 | one-hot에 가까워진다", "the larger λ, | the
  smaller the weights"), each half's side read apart.
- **Negation**: a word negated where the reference clause about the same things states it, or
  stated where the reference negates it ("not separated by any gap" against "separated by the
  gap").

Each answer clause one of them can check either agrees or is reversed; `Reading` keeps the
reversed ones with their place in the answer, so feedback can quote them and concept credit can
leave out what they name."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import groupby
from typing import Literal

from evaluators.reading.clauses import Clause, clauses
from evaluators.reading.opposites import side_of

MIN_SHARED = 2
"""Words an answer clause must share with a reference clause (opposites aside) before the two
are read as saying something about the same things: two, or all the words of the shorter."""
MIN_SIDES = 2
SHARE_OF_CLAUSES = 3
"""A reversed answer's reversed claims make at least one in this many of its clauses: one slip in
a long right answer does not make it wrong."""
MIN_PROPERTIES = 2
"""Properties a clause must give one side more than the other before its roles are read: one
word a model answer happens to say of one side only (입력, "layer") is no claim about it."""

How = Literal["roles", "opposite", "negation"]

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?:[ -][A-Za-z][A-Za-z0-9-]*)*")
"""A run of Latin words ("Batch Normalization", "Non-Linearity"): one term, named by its first
word, so "Batch Normalization" and "Layer Normalization" are two sides, not four."""
_CAPITALISED = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_PAIRING = re.compile(
    r"(?:,|/|\band|\bor|\bvs\.?|\bversus|\bthan|\bover|및|와|과|나|랑|하고|보다|대신)\s*$",
    re.IGNORECASE,
)
"""What joins two terms a question sets side by side, at the end of the words between them."""
_COMPARED_AFTER = re.compile(r"^\s*(?:보다|와|과|대비|에 비해)")
MAX_BETWEEN = 12
_JOINED = 5
"""The shortest term looked for written apart: shorter ones ("cnn") are found as words."""
_QUOTED = re.compile(r"['\"‘“]([^'\"’”]{1,40})['\"’”]")


@dataclass(frozen=True)
class Reversal:
    """One answer clause that says the opposite of the references: where (`span` in the answer's
    normalized text) and how."""

    span: tuple[int, int]
    how: How
    sure: bool = True
    """Whether the reading is sure of it. A side of a pair of opposites said through a negation
    whose reach is a guess ("no units are dropped", "nothing is dropped", 강하기 때문에 … 보이지
    않는다), or a comparison whose terms do not line up ("slower than the speed of light"
    against "light is faster than sound") is read and quoted by `--explain`, but neither takes
    credit nor makes an answer wrong."""


@dataclass(frozen=True)
class Reading:
    """What the answer's checkable clauses do: `agreeing` of them say what a reference says,
    `reversed` the opposite."""

    agreeing: int = 0
    reversed: tuple[Reversal, ...] = ()
    clauses: int = 0
    """All the answer's claims, checked or not: a run of clauses about one side read by its
    roles counts once, any other clause once."""

    @property
    def mostly_reversed(self) -> bool:
        """The answer's main claims are reversed: more of its checked clauses say the opposite
        of the references by their roles or by a pair of opposites than agree with them, and
        they make at least a third of its clauses. A clause negated where a reference is not
        reads as reversed too, and `--explain` counts it, but it takes no credit and does not
        make an answer wrong: real students' right answers negate where the model answer does
        not far more often than they swap roles or say an opposite (SemEval-2013's training
        answers labelled correct, Beetle and SciEntsBank: 1.9% and 1.7% would be read as
        reversed with negation counted, 0.8% and 0.1% without)."""
        strong = len(self.strong)
        return strong > self.agreeing and SHARE_OF_CLAUSES * strong >= self.clauses

    @property
    def strong(self) -> tuple[Reversal, ...]:
        """The reversed claims read by roles or a pair of opposites, and sure: the ones that take
        a concept's credit and can make an answer wrong."""
        return tuple(r for r in self.reversed if r.how != "negation" and r.sure)


NOTHING_READ = Reading()


Facts = tuple[frozenset[str], dict[int, int], frozenset[int], dict[int, int]]
"""A clause's words (`_about`), the pairs of opposites it says one side of (`_polarity`),
those of them it says through a negation or as the thing compared against (`_hedged`), and the
pairs read as if a covariation's two halves were one (`_polarity(..., flat=True)`): what a
covariation is compared by against a clause that is none."""


@dataclass(frozen=True)
class Contrast:
    """What a prompt's references claim: their clauses, and, where the question names sides,
    each side's own properties: a word the references say of that side and of no other, with
    whether they negate it."""

    references: tuple[tuple[Clause, ...], ...]
    sides: frozenset[str]
    properties: dict[str, tuple[str, bool]]
    subjects: tuple[tuple[str | None, ...], ...] = ()
    """The side each reference clause speaks of (`_subjects`), where the question names sides."""
    links: frozenset[frozenset[str]] = frozenset()
    """Pairs of sides the references speak of together ("Adam combines momentum with RMSprop",
    "Leaky ReLU keeps ReLU's ..."): one may be given the other's properties."""
    read: tuple[tuple[Facts, ...], ...] = ()
    """Each reference clause's words (`_about`) and pairs of opposites (`_polarity`), read once:
    every answer is read against them (the answer groups, every pair of a question's answers)."""


def contrast_of(question: Sequence[str], references: Sequence[str]) -> Contrast:
    """The contrast a prompt draws (cached by its texts): `question` in each language it is
    written in, `references` its model answers."""
    return _contrast(tuple(question), tuple(references))


def _named_terms(question: str) -> set[str]:
    """The things a question sets side by side, each by the lemma of its first word: terms
    written in Latin letters inside Korean, in English the words written with a capital past
    the first (BERT, GPT), joined to another such term by a word that pairs or compares them
    ("Sigmoid 보다 ReLU", "TensorFlow와 PyTorch", "SGD, RMSprop, Adam", "BERT and GPT"); and
    quoted words ('man', 'woman', 'car'). "BN을 GAN의 Generator에도" names two things it does
    not set against each other."""
    if _HANGUL.search(question):
        found = [(m.start(), m.end(), m.group()) for m in _LATIN_TERM.finditer(question)]
    else:
        words = list(_CAPITALISED.finditer(question))[1:]
        found = [(m.start(), m.end(), m.group()) for m in words if not m.group().islower()]
    paired: set[int] = set()
    for number, ((_, end, _), (start, after, _)) in enumerate(itertools.pairwise(found)):
        between = question[end:start]
        if len(between) <= MAX_BETWEEN and (
            _PAIRING.search(between) or _COMPARED_AFTER.match(question[after:])
        ):
            paired |= {number, number + 1}
    terms = [found[number][2] for number in sorted(paired)]
    terms += [w for quoted in _QUOTED.findall(question) for w in _LATIN_TERM.findall(quoted)]
    named = set()
    for term in terms:
        lemmas = [lemma for clause in clauses(term) for lemma in clause.lemmas]
        if lemmas and side_of(lemmas[0]) is None:
            named.add(lemmas[0])
    return named


@lru_cache(maxsize=1024)
def _contrast(question: tuple[str, ...], references: tuple[str, ...]) -> Contrast:
    read = tuple(claims(text) for text in references)
    named = set().union(*(_named_terms(text) for text in question)) if question else set()
    named_subjects = {s for text in read for s in _subjects(text, named) if s is not None}
    sides = frozenset(named_subjects) if len(named_subjects) >= MIN_SIDES else frozenset()
    asked = {lemma for text in question for clause in clauses(text) for lemma in clause.lemmas}
    owners: dict[str, set[tuple[str, bool]]] = {}
    links: set[frozenset[str]] = set()
    if sides:
        for reference in read:
            for subject, clause in zip(_subjects(reference, sides), reference, strict=True):
                if subject is None:
                    continue
                links |= {
                    frozenset((subject, other))
                    for other in _asserted(clause) & sides
                    if other != subject
                }
                for lemma in clause.lemmas:
                    if lemma not in asked and side_of(lemma) is None:
                        owners.setdefault(lemma, set()).add((subject, lemma in clause.negated))
    properties = {lemma: next(iter(s)) for lemma, s in owners.items() if len(s) == 1}
    subjects = tuple(tuple(_subjects(reference, sides)) for reference in read) if sides else ()
    return Contrast(
        references=read,
        sides=sides,
        properties=properties,
        subjects=subjects,
        links=frozenset(links),
        read=tuple(tuple(_facts(c) for c in text) for text in read),
    )


def _subjects(text: Sequence[Clause], sides: set[str] | frozenset[str]) -> list[str | None]:
    """The side each clause of a text speaks of: the one it names in subject position (a topic
    marked by 은/는/이/가 first, else the first it names that is not the thing compared
    against), or, for a clause naming none, the side of the clause before it."""
    out: list[str | None] = []
    current: str | None = None
    for clause in text:
        named = [
            lemma for lemma in clause.lemmas if lemma in sides and lemma not in clause.compared
        ]
        # A term written apart ("Leaky ReLU" for LeakyReLU) is that term, not the shorter one.
        joined = [
            s for s in sides if s not in clause.lemmas and len(s) >= _JOINED and s in clause.compact
        ]
        if joined:
            named = joined + [lemma for lemma in named if not any(lemma in s for s in joined)]
        topics = [lemma for lemma in named if lemma in clause.topics]
        if topics or named:
            current = (topics or named)[0]
        out.append(current)
    return out


def read_claims(answer: str, contrast: Contrast) -> Reading:
    """The answer's claims read against `contrast`. A run of clauses about one side (a sentence
    about ReLU cut at every connective, 정의하고 … 실행하는 … 유리했고) is one claim about it:
    its roles are read from all its words together; any other clause is read on its own, by
    opposites and negation."""
    agreeing = 0
    reversed_: list[Reversal] = []
    mine, facts = _read(answer)
    subjects = _subjects(mine, contrast.sides) if contrast.sides else [None] * len(mine)
    claims = 0
    runs = zip(mine, subjects, facts, strict=True)
    for subject, run in groupby(runs, key=lambda read: read[1]):
        said = [(clause, fact) for clause, _, fact in run]
        votes = sum(_role_votes(clause, subject, contrast) for clause, _ in said)
        if abs(votes) >= MIN_PROPERTIES:
            claims += 1
            span = (said[0][0].span[0], said[-1][0].span[1])
            if votes > 0:
                agreeing += 1
            else:
                reversed_.append(Reversal(span=span, how="roles"))
            continue
        for clause, fact in said:
            claims += 1
            votes, how, sure = _polarity_votes(clause, fact, subject, contrast)
            if votes > 0:
                agreeing += 1
            elif votes < 0:
                reversed_.append(Reversal(span=clause.span, how=how, sure=sure))
    return Reading(agreeing=agreeing, reversed=tuple(reversed_), clauses=claims)


def opposed(question: Sequence[str], first: str, second: str) -> bool:
    """Whether two answers to a question say the opposite of each other: either read against the
    other as its model answer has its main claims reversed."""
    return (
        read_claims(first, contrast_of(question, (second,))).mostly_reversed
        or read_claims(second, contrast_of(question, (first,))).mostly_reversed
    )


def _role_votes(clause: Clause, subject: str | None, contrast: Contrast) -> int:
    """Properties the clause gives its own side as the references do, minus those it gives it
    against them (another side's property, or its own negated the other way)."""
    if subject is None:
        return 0
    votes = 0
    for lemma in set(clause.lemmas):
        known = contrast.properties.get(lemma)
        if known is not None:
            owner, negated = known
            if owner != subject and frozenset((owner, subject)) in contrast.links:
                continue
            votes += 1 if (owner == subject) == ((lemma in clause.negated) == negated) else -1
    return votes


_LEADING = 1_000
"""Added to the number of a pair of opposites said in a covariation's leading half: "the larger
λ, the smaller the weights" says "larger" of λ and "smaller" of the weights, two claims of one
pair that do not cancel."""


def _polarity(clause: Clause, *, flat: bool = False) -> dict[int, int]:
    """Each pair of opposites the clause says one side of, that side read through negation ("not
    connected" says "separated"); a pair it says both sides of is left out. A covariation's
    leading half (`Clause.lead`) says its pairs apart from the rest (`_LEADING`), unless read
    `flat`."""
    said: dict[int, set[int]] = {}
    for number, lemma in enumerate(clause.lemmas):
        if lemma in clause.compared or lemma in clause.names:
            # "saddle points rather than local minima" does not say "local", nor 작은 기울기를
            # 주는 Leaky ReLU "작다" of anything: 작은 names the slope it gives
            continue
        side = side_of(lemma)
        if side is not None:
            pair = side[0] + (_LEADING if number < clause.lead and not flat else 0)
            said.setdefault(pair, set()).add(side[1] ^ int(lemma in clause.negated))
    return {pair: next(iter(sides)) for pair, sides in said.items() if len(sides) == 1}


def _about(clause: Clause) -> frozenset[str]:
    return frozenset(lemma for lemma in clause.lemmas if side_of(lemma) is None)


def _hedged(clause: Clause) -> frozenset[int]:
    """The pairs of opposites the clause says through a negation whose reach the reader guessed
    (`Clause.hedged`: "no units are dropped", "nothing is dropped"; 강하기 때문에 … 보이지
    않는다), in either half of a covariation."""
    return frozenset(
        pair
        for lemma in clause.hedged
        if (side := side_of(lemma)) is not None
        for pair in (side[0], side[0] + _LEADING)
    )


def _facts(clause: Clause) -> Facts:
    return _about(clause), _polarity(clause), _hedged(clause), _polarity(clause, flat=True)


@lru_cache(maxsize=4096)
def _read(answer: str) -> tuple[tuple[Clause, ...], tuple[Facts, ...]]:
    """The answer's clauses and their facts, read once however many contrasts it is read
    against (the answer groups read each answer against every other)."""
    mine = claims(answer)
    return mine, tuple(_facts(c) for c in mine)


def claims(text: str) -> tuple[Clause, ...]:
    """The clauses of `text`, each that leads into the next (`Clause.leads`: τ가 작을수록 |
    one-hot에 가까워진다) read with it as one: which way one thing moves with another is a claim
    only of the two halves together."""
    out: list[Clause] = []
    pending: Clause | None = None
    for read in clauses(text):
        clause = read if pending is None else _joined(pending, read)
        pending = clause if clause.leads and len(_polarity(clause)) <= 1 else None
        if pending is None:
            out.append(clause)
    return tuple(out if pending is None else [*out, pending])


def _joined(first: Clause, second: Clause) -> Clause:
    return replace(
        second,
        span=(first.span[0], second.span[1]),
        lemmas=first.lemmas + second.lemmas,
        negated=first.negated | second.negated,
        compared=first.compared | second.compared,
        topics=first.topics | second.topics,
        names=first.names | second.names,
        hedged=first.hedged | second.hedged,
        compact=first.compact + second.compact,
        conditional=first.conditional or second.conditional,
        lead=len(first.lemmas),
    )


def _polarity_votes(
    clause: Clause, facts: Facts, subject: str | None, contrast: Contrast
) -> tuple[int, How, bool]:
    """+1 when a reference clause about the same things (and the same side, where the question
    names sides) says it as the clause does (its `facts`), -1 when they all say the opposite
    (by a pair of opposites, or else by negation), 0 when none is about the same things; and
    whether a reversal is sure: one reference clause says the opposite of a pair that neither
    clause hedges (`_hedged`), comparing the same things (`_compared_alike`)."""
    about, keyed, hedged, flat = facts
    agree = disagree = sure = False
    how: How = "negation"
    for number, reference in enumerate(contrast.references):
        sides = contrast.subjects[number] if contrast.subjects else (None,) * len(reference)
        read = contrast.read[number]
        for other, side, (theirs_about, theirs_keyed, theirs_hedged, theirs_flat) in zip(
            reference, sides, read, strict=True
        ):
            if subject is not None and side is not None and side != subject:
                continue  # a claim about the other side
            if other.conditional != clause.conditional and (other.antecedent or clause.antecedent):
                # "if it does not stick" says nothing against "the key sticks"; what follows a
                # condition is a claim, and the question often sets the condition itself
                # ("if bulb A burns out, B and C are no longer in a closed path").
                continue
            shared = about & theirs_about
            if not shared or len(shared) < min(MIN_SHARED, len(about), len(theirs_about)):
                continue
            if clause.names - other.names:
                continue  # "switch X is not in the same path" beside "bulbs B and C are"
            # Two covariations compare each half's side; one against a plain clause, both flat.
            both = clause.lead and other.lead
            mine, theirs = (keyed, theirs_keyed) if both else (flat, theirs_flat)
            pairs = mine.keys() & theirs.keys()
            if pairs:
                swapped = _swapped(clause, other)
                flipped = [p for p in pairs if (mine[p] != theirs[p]) != swapped]
                if len(flipped) > 1:
                    continue  # "negative ... separated" against "positive ... connected"
                same = not flipped
                how = "opposite"
                sure = sure or (
                    not same
                    and not (set(flipped) & (hedged | theirs_hedged))
                    and _compared_alike(clause, other, swapped=swapped)
                )
            else:
                negated = {w for w in shared if w in clause.negated or w in other.negated}
                if not negated or clause.antecedent:
                    continue  # "if it does not stick, it is aluminum" beside "if it sticks"
                same = all((w in clause.negated) == (w in other.negated) for w in negated)
            agree, disagree = agree or same, disagree or not same
    if agree:
        return 1, how, True
    return (-1, how, sure) if disagree else (0, how, True)


def _compared_alike(clause: Clause, other: Clause, *, swapped: bool) -> bool:
    """Whether two clauses that may compare things compare the same ones: neither compares, both
    compare the same thing, or each compares what the other speaks of (`_swapped`). "The speed
    of sound is slower than the speed of light" against "light is faster than sound" compares
    "speed" and "sound": which side each says is not to be trusted."""
    return swapped or clause.compared == other.compared


def _swapped(clause: Clause, other: Clause) -> bool:
    """Whether the two clauses compare two things the other way round ("CNNs have fewer
    parameters than MLPs" against "MLPs have more parameters than CNNs"): what each compares
    against is what the other speaks of."""
    return bool(clause.compared & _asserted(other)) and bool(other.compared & _asserted(clause))


def _asserted(clause: Clause) -> frozenset[str]:
    return frozenset(clause.lemmas) - clause.compared
