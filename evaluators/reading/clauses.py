"""A text cut into clauses, each read for what a claim needs: its words (as lemmas, in
order), whether it is negated, and which of its words are the thing compared against ("than
an MLP", "sigmoid보다", "instead of SGD", "sigmoid 대신"). A sentence vector reads "ReLU
saturates" and "sigmoid saturates" as the same sentence; a clause says which one saturates.

Korean goes through Kiwi's tags (connective endings and punctuation cut clauses, except a
connective that an auxiliary such as 않 or 지 continues; 않, 못, 없, 아니 negate). English is
read from the text: punctuation and a few conjunctions cut clauses, and not, no, never, nothing,
nobody, cannot and -n't negate ("nothing is dropped" negates "dropped" as "no units are
dropped" does)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from content.language_tools import KIWI_LOCK, kiwi, stem_en
from evaluators.reading.morphology import normalize
from evaluators.reading.opposites import changes, side_of

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3130-\u318f]")
_EN_TOKEN = re.compile(r"[a-z_][a-z_0-9]*|[α-ω]|[0-9]+(?:[.,][0-9]+)*|[.;:!?,()]")
"""Words (an identifier such as no_grad is one word), Greek letters (a temperature τ, a decay
β: the quantity a claim says moves), numbers, and the punctuation that cuts clauses."""
_EN_BREAK = "but while whereas although though however so because since therefore thus hence"
_EN_BREAK_WORDS = frozenset((*_EN_BREAK.split(), "which"))
_EN_NEGATION = "not nt no never cannot none neither nor nothing nobody nowhere"
_EN_NEGATIONS = frozenset(_EN_NEGATION.split())
_EN_QUANTIFIERS = frozenset({"no", "none", "nothing", "nobody", "nowhere", "neither", "nor"})
"""Negations that deny a thing ("no units are dropped", "nothing is dropped") rather than the
word after them: which of the clause's words they negate is a guess (`Clause.hedged`)."""
_EN_CONDITION = "if unless whether without otherwise"
_EN_CONDITIONS = frozenset(_EN_CONDITION.split())
"""Words that make a sentence conditional ("without a bias, y = Wx passes through the origin")."""
_EN_COMPARED_AFTER = frozenset(("than", "unlike", "versus", "vs"))
"""The word after one of these is the thing compared against, not the clause's subject."""
_EN_COMPARED_PAIRS = frozenset({("instead", "of"), ("rather", "than"), ("compared", "to")})
_EN_SKIPPED_WORDS = """a an the of to in on for and or is are was were be been being it its this
that these those with as by from at what when where who how why can could would should will may
might do does did done has have had if then there their they them we you your our i me my he she
his her also just very much some any each such into out up about only other both one us rather
instead most compared between through within across via per onto upon"""
_EN_SKIPPED = frozenset(_EN_SKIPPED_WORDS.split())
_GREEK = re.compile(r"[α-ω]")
_PUNCTUATION = frozenset(".;:!?,()")
_VOWEL = re.compile(r"[aeiouy]")
_NOT_LETTERS = re.compile(r"[^0-9a-z\uac00-\ud7a3]")
_SENTENCE_END = frozenset(".;!?")

_KO_CONTENT = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH")
_KO_NEGATIONS = frozenset(
    {("않", "VX"), ("못하", "VX"), ("없", "VA"), ("아니", "VCN"), ("못", "MAG")}
)
_KO_NEGATION_ADVERBS = frozenset({"안", "없이"})
_KO_COMPARED = frozenset({"보다", "대신", "말고", "달리", "비하", "대비"})
"""Words after which (보다, 대비) or before which (대신, 말고, 와 달리, 에 비해) the noun just
said is the thing compared against."""
_KO_LEADING = frozenset({"게"})
"""Connective endings that make an adverb of a verb (크게 하다, 가깝게 만든다): the clause they
end is half of the next one's claim, as a covariation's side ending in -수록 is."""
_KO_PREFIXES = frozenset({"불", "비", "무", "미"})
"""Negative prefixes kept on their word: 불가능 and 가능 are two words, not one negated."""
_KO_SUBJECT_PARTICLES = frozenset({"JX", "JKS"})
NEGATION_REACH = 2
"""Words a negation reaches for a pair of opposites: "not in a closed path" and "not directly
connected" say "open" and "separated", but "the part that did not go through the filter was
larger" says "larger"."""


@dataclass(frozen=True)
class Clause:
    """One clause: `span` in `normalize(text)`, its lemmas in order, the lemmas a negation
    applies to (in English the word after not/no/never, in Korean the word before 않/없/아니/못),
    the lemmas marked as topics (followed by 은/는/이/가) and those that are the thing compared
    against."""

    span: tuple[int, int]
    lemmas: tuple[str, ...]
    negated: frozenset[str]
    compared: frozenset[str]
    topics: frozenset[str]
    names: frozenset[str] = frozenset()
    """The things it names by a letter or a number ("bulb C", "switch X", "terminals 4, 5 and
    6") or, in Korean, by one of a pair of opposites said before a noun (작은 모델, 큰 모델: a
    draft model and a target model, where 모델이 작다 is a claim): a clause that names another
    thing than a model answer's clause speaks of another thing, whatever words they share."""
    hedged: frozenset[str] = frozenset()
    """The negated lemmas the reader guessed at: reached by a negation past the word beside it
    ("not contained in a closed path": "closed"; 강하기 때문에 … 보이지 않는다: "강하"), or
    negated by one that denies a thing ("no units are dropped", "nothing is dropped")."""
    compact: str = ""
    """Its letters and digits alone: "leaky relu" holds the term "LeakyReLU" as written."""
    conditional: bool = False
    """Part of a conditional sentence ("if it does not stick, it is aluminum"; 크면): what it
    negates or compares holds only under its condition."""
    antecedent: bool = False
    """The condition itself ("if it does not stick"; 크면), a clause of its own even where no
    comma cuts it ("the bulb lights | if the switch is closed"): a supposition, not a claim."""
    leads: bool = False
    """The first half of one claim that the next clause completes: the side of a covariation
    ("τ가 작을수록 | one-hot에 가까워진다", "the larger the batch, | the smaller the noise", "as
    β grows, | ...") or an adverb made of a verb (τ를 크게 | 할수록). Which way one thing moves
    with another is said by both halves together (`reading.contrasts` reads them as one)."""
    lead: int = 0
    """How many of its lemmas, from the first, a leading clause joined in front of it
    (`reading.contrasts.claims`): they say one side of a covariation, the rest the other."""


@dataclass
class _Builder:
    start: int
    end: int = 0
    lemmas: list[str] | None = None
    negated: set[str] | None = None
    names: set[str] | None = None
    hedged: set[str] | None = None
    compared: set[str] | None = None
    topics: set[str] | None = None
    pending_negation: bool = False
    pending_quantifier: bool = False
    """The pending negation denies a thing ("no", "nothing"): its word is a guess too."""
    pending_opposite: int = 0
    """Lemmas left in which a negation still reaches the next of a pair of opposites."""
    conditional: bool = False
    antecedent: bool = False
    leads: bool = False
    opening: tuple[str, ...] = ()
    """The clause's first two tokens, as written (English): "the larger", "as β"."""

    def add(self, lemma: str, end: int) -> None:
        if self.lemmas is None:
            self.lemmas = []
        self.lemmas.append(lemma)
        self.end = end
        beside = self.pending_negation
        if beside:
            self.negate(lemma, guessed=self.pending_quantifier)
            self.pending_negation = False
        if self.pending_opposite and side_of(lemma) is not None:
            self.negate(lemma, guessed=self.pending_quantifier or not beside)
            self.pending_opposite = 0
        self.pending_opposite = max(0, self.pending_opposite - 1)

    def negate(self, lemma: str | None, *, guessed: bool = False, quantifier: bool = False) -> None:
        """Negate `lemma`; None: the next lemma added, and the next of a pair of opposites
        ("not contained in a closed path" negates "contained" and "closed")."""
        if lemma is None:
            self.pending_negation, self.pending_opposite = True, NEGATION_REACH
            self.pending_quantifier = quantifier
            return
        if self.negated is None:
            self.negated = set()
        self.negated.add(lemma)
        if guessed:
            if self.hedged is None:
                self.hedged = set()
            self.hedged.add(lemma)

    def negate_back(self) -> None:
        """Negate the last lemma said, and the last of a pair of opposites (Korean negation
        follows its word: 연결되지 않는다)."""
        said = self.lemmas or []
        if said:
            self.negate(said[-1])
        opposite = next((lemma for lemma in reversed(said) if side_of(lemma) is not None), None)
        if opposite is not None:
            self.negate(opposite, guessed=opposite != said[-1])

    def name(self, letter: str) -> None:
        if self.names is None:
            self.names = set()
        self.names.add(letter)

    def mark_compared(self, lemma: str) -> None:
        if self.compared is None:
            self.compared = set()
        self.compared.add(lemma)

    def mark_topic(self, lemma: str) -> None:
        if self.topics is None:
            self.topics = set()
        self.topics.add(lemma)

    def built(self) -> Clause | None:
        if not self.lemmas:
            return None
        return Clause(
            span=(self.start, self.end),
            lemmas=tuple(self.lemmas),
            negated=frozenset(self.negated or ()),
            names=frozenset(
                (
                    *(self.names or ()),
                    *(w for w in self.lemmas if w[0].isdigit() or (len(w) == 1 and w.isascii())),
                )
            ),
            hedged=frozenset(self.hedged or ()),
            compared=frozenset(self.compared or ()),
            topics=frozenset(self.topics or ()),
            conditional=self.conditional,
            antecedent=self.antecedent,
            leads=self.leads,
        )


def clauses(text: str) -> tuple[Clause, ...]:
    """The clauses of `text`, in order (cached: references are read for every answer)."""
    return _clauses(normalize(text))


@lru_cache(maxsize=4096)
def lemmas_of(text: str) -> frozenset[str]:
    """Every lemma the clauses of `text` say: the words a claim is made of."""
    return frozenset(lemma for clause in clauses(text) for lemma in clause.lemmas)


@lru_cache(maxsize=4096)
def _clauses(normalized: str) -> tuple[Clause, ...]:
    # One word for "non-linear" and "non linear", as for "nonlinear" (same lengths: spans hold).
    normalized = re.sub(r"\bnon[- ]([a-z]+)", lambda m: f"non{m.group(1)} ", normalized)
    # "one-hot" is a word of its own, not "hot" (one of a pair of opposites).
    normalized = re.sub(r"\bone[- ]hot\b", "onehot ", normalized)
    read = _korean(normalized) if _HANGUL.search(normalized) else _english(normalized)
    return tuple(
        replace(clause, compact=_NOT_LETTERS.sub("", normalized[slice(*clause.span)]))
        for clause in read
    )


def _english(text: str) -> tuple[Clause, ...]:
    # Same lengths, so spans stay those of the normalized text: "isn't" reads "is nt".
    text = re.sub(r"n['’\"]t\b", " nt", text)
    text = re.sub(r"\bno (?:longer|more)\b", lambda m: "not".ljust(len(m.group())), text)
    out: list[Clause] = []
    sentence: list[_Builder] = []
    current = _Builder(start=0)
    previous = ""
    compare_next = False
    tokens = list(_EN_TOKEN.finditer(text))
    for index, match in enumerate(tokens):
        token = match.group()
        if token in _PUNCTUATION or token in _EN_BREAK_WORDS:
            if token not in "()":
                current.leads = token == "," and _covaries(current)
                sentence.append(current)
                current = _Builder(start=match.end(), conditional=current.conditional)
                if token in _SENTENCE_END:
                    out += _sentence(sentence)
                    sentence, current.conditional = [], False
            previous = token
            continue
        if len(current.opening) < len(_EN_COVARYING[0]):
            current.opening = (*current.opening, token)
        if token in _EN_CONDITIONS:
            if current.lemmas:
                sentence.append(current)
                current = _Builder(start=match.start())
            current.conditional = current.antecedent = True
            for earlier in sentence:
                earlier.conditional = True
        elif token in _EN_NEGATIONS:
            current.negate(None, quantifier=token in _EN_QUANTIFIERS)
        elif (previous, token) in _EN_COMPARED_PAIRS or token in _EN_COMPARED_AFTER:
            compare_next = True
        elif _names_a_thing(
            token, previous, tokens[index + 1].group() if index + 1 < len(tokens) else "."
        ):
            current.name(token)
        elif token not in _EN_SKIPPED and (
            token[0].isdigit() or len(token) > 1 or _GREEK.fullmatch(token)
        ):
            lemma = _english_lemma(token)
            # A word the clause said before the comparison ("computing ReLU is faster than
            # computing sigmoid") is the frame both sides share; the thing compared follows it.
            framed = compare_next and lemma in (current.lemmas or ())
            current.add(lemma, match.end())
            if compare_next and not framed:
                current.mark_compared(lemma)
                compare_next = False
        previous = token
    return tuple(out + _sentence([*sentence, current]))


_EN_COVARYING = ("the", "as")
"""How the side of an English covariation opens: "the" and a comparative ("the larger the
batch, the smaller the noise"), or "as" and a clause saying which way something moves ("as β
grows, ...")."""


def _covaries(clause: _Builder) -> bool:
    """Whether an English clause cut by a comma is the first side of a covariation: "the"
    opening it before a comparative, or "as" before a clause with a word that says something
    moves ("as β grows", "as the batch gets larger"); not "the negative terminals", "as a
    result"."""
    if not clause.opening or clause.opening[0] not in _EN_COVARYING:
        return False
    if clause.opening[0] == "the":
        return len(clause.opening) > 1 and _moves(clause.opening[1])
    return any(_moves(lemma) for lemma in clause.lemmas or ())


def _moves(word: str) -> bool:
    """Whether a word or lemma says which way something moves: a comparative of a pair of
    opposites (larger, fewer) or a word of rising or falling (grows, shrinks)."""
    lemma = _english_lemma(word)
    if side_of(lemma) is None:
        return False
    return word in _EN_COMPARATIVES or word.endswith("er") or changes(lemma)


_EN_COMPARATIVES = frozenset({"more", "less", "fewer"})


_EN_AFTER_NAME = frozenset((*_PUNCTUATION, "and", "or", "is", "are", "was", "were", "has", "will"))


def _names_a_thing(token: str, previous: str, following: str) -> bool:
    """Whether a single letter names a thing ("bulb c", "switch x", "b and c"): any letter but
    "i", and "a" only where an article cannot stand ("bulb a is", "bulbs b and a.")."""
    if len(token) != 1 or not token.isascii() or not token.isalpha() or token == "i":
        return False
    if token != "a":
        return True
    return (
        previous not in _EN_SKIPPED and previous not in _PUNCTUATION and following in _EN_AFTER_NAME
    )


def _english_lemma(token: str) -> str:
    """A number as written, an acronym's plural as the acronym (CNNs, MLPs: Snowball leaves
    them), any other word by its Snowball stem."""
    if token[0].isdigit():
        return token
    if len(token) > 3 and token.endswith("s") and not _VOWEL.search(token[:-1]):
        return token[:-1]
    return stem_en(token)


def _sentence(builders: list[_Builder]) -> list[Clause]:
    return [clause for builder in builders if (clause := builder.built()) is not None]


def _attributive(tokens: list[tuple[str, str, int, int]], index: int) -> bool:
    """Whether the Korean word at `index` qualifies the noun after it, as a name does (작은 모델,
    음수인 구간, 양수 입력) rather than making a claim (모델이 작다, 입력이 음수다)."""
    following = [tag for _, tag, _, _ in tokens[index + 1 : index + 3]]
    if not following:
        return False
    return (
        following[0] == "ETM"
        or following[:2] == ["VCP", "ETM"]
        or (tokens[index][1].startswith("NN") and following[0].startswith("NN"))
    )


def _korean(text: str) -> tuple[Clause, ...]:
    with KIWI_LOCK:
        tokens = [
            (str(t.form), str(t.tag), int(t.start), int(t.len)) for t in kiwi().tokenize(text)
        ]
    out: list[Clause] = []
    current = _Builder(start=0)
    prefix = ""
    last: str | None = None
    for index, (form, tag, start, length) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if tag in {"SF", "SP", "EF"} or (tag == "EC" and not following.startswith("VX")):
            conditional = current.conditional or (tag == "EC" and form.endswith("면"))
            if conditional and tag == "EC":
                current.conditional = True
                current.antecedent = current.antecedent or form.endswith("면")
            current.leads = tag == "EC" and (form.endswith("수록") or form in _KO_LEADING)
            if (clause := current.built()) is not None:
                out.append(clause)
            current = _Builder(start=start + length, conditional=conditional and tag != "SF")
            last = None
            continue
        if (form, tag) in _KO_NEGATIONS:
            current.negate_back()
            continue
        if tag == "MAG" and form in _KO_NEGATION_ADVERBS:
            current.negate(None)
            continue
        if tag == "XPN" and form in _KO_PREFIXES:
            prefix = form
            continue
        if last is not None and form in _KO_COMPARED:
            current.mark_compared(last)
            continue
        if last is not None and tag in _KO_SUBJECT_PARTICLES:
            current.mark_topic(last)
            continue
        greek = tag == "SW" and _GREEK.fullmatch(form) is not None
        if greek or (tag.startswith(_KO_CONTENT) and not (tag == "SL" and form in _EN_SKIPPED)):
            lemma = prefix + (_english_lemma(form) if tag == "SL" else form)
            current.add(lemma, start + length)
            if side_of(lemma) is not None and _attributive(tokens, index):
                current.name(lemma)
            last = lemma
        prefix = ""
    if (clause := current.built()) is not None:
        out.append(clause)
    return tuple(out)
