"""Which side each key concept belongs to, and whether an answer gives it to the other side: the
roles of a pair the model answers set against each other (L1 and L2, bias and variance,
encoder and decoder, forward and reverse KL) read concept by concept, in Korean as in English.

Sentence vectors cannot see a swap: "L2 gives exact zeros, L1 shrinks smoothly" sits as near
the model answer as the model answer itself (the two vectors of an answer and of the same
answer with the sides' names exchanged differ by about 0.001 in cosine). So the sides are named
in a written list of pairs (`PAIRS`, each side by its English and Korean names), and a concept
belongs to a side when the model answers' clauses that name it name that side more often than
the other. An answer's clause that names one side and states a concept of the other, without
naming the concept's own side, gives that concept to the wrong side.

A second reading needs no concept at all (`said_of_the_other_side`): the words the model answers
say of one side and never of the other. An answer whose clauses give each side more of the
other side's words than of its own has swapped them, though no key concept is found in the
clause ("depthwise convolution이 1×1 conv로 채널들을 섞는 단계고, pointwise convolution이 채널마다
따로 공간 필터를 거는 단계": the concepts are the two names, each in its own clause)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from content.schema import Concept
from evaluators.reading.concepts import AnswerText, ConceptMatch, concept_present
from evaluators.reading.morphology import bank_words, content_words

Side = tuple[str, ...]
PAIRS: tuple[tuple[Side, Side], ...] = (
    (("L1", "Lasso", "라쏘"), ("L2", "Ridge", "릿지")),
    (("bias", "편향"), ("variance", "분산")),
    (
        ("overfitting", "overfit", "과적합", "오버피팅"),
        ("underfitting", "underfit", "과소적합", "언더피팅"),
    ),
    (("precision", "정밀도"), ("recall", "재현율")),
    (("aleatoric", "우연적", "알레아토릭"), ("epistemic", "인식적", "에피스테믹")),
    (
        ("harmonic mean", "조화평균", "조화 평균"),
        ("arithmetic mean", "산술평균", "산술 평균"),
    ),
    (
        ("training loss", "train loss", "training error", "학습 loss", "학습 손실", "훈련 loss"),
        ("validation loss", "val loss", "validation error", "검증 loss", "검증 손실"),
    ),
    (("false positive", "FP", "거짓 양성"), ("false negative", "FN", "거짓 음성")),
    (("Type I", "1종"), ("Type II", "2종")),
    (("encoder", "인코더"), ("decoder", "디코더")),
    (("generator", "생성자"), ("discriminator", "판별자")),
    (("bagging", "배깅"), ("boosting", "부스팅")),
    (("MLE",), ("MAP",)),
    (("forward KL", "KL(p||q)", "KL(p‖q)"), ("reverse KL", "KL(q||p)", "KL(q‖p)")),
    (("mode-seeking", "mode seeking"), ("mode-covering", "mode covering")),
    (("ReLU",), ("sigmoid", "시그모이드")),
    (("micro",), ("macro",)),
    (("generative", "생성 모델"), ("discriminative", "판별 모델")),
    (("addition", "덧셈", "더하"), ("concatenation", "concat", "이어 붙")),
    (("depthwise",), ("pointwise",)),
)
"""Pairs of sides a model answer sets against each other, each side by its names (an
all-capital name is matched with its case, any other without)."""
DIRECTION: tuple[Side, Side] = (
    ("large", "larger", "high", "higher", "클수록", "크게", "크면", "큰", "높을수록", "높이면"),
    (
        "small",
        "smaller",
        "low",
        "lower",
        "작을수록",
        "작게",
        "작으면",
        "작은",
        "낮을수록",
        "낮추면",
    ),
)
"""A direction a model answer sets a temperature, a C or a β in: read when no named pair is."""

_QUESTION_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?: [A-Za-z][A-Za-z0-9-]*)?")
"""A name a question may set against another: a Latin word, or two ("concept drift", "reverse
KL")."""
_SET_AGAINST = re.compile(
    r"\b(?:and|or|vs\.?|versus|than|from|compared (?:to|with))\b"
    r"|(?:(?<=[A-Za-z)])|(?<=[A-Za-z)] ))(?:와|과|랑|보다)(?=\s)"
)
"""What a question sets two names against each other with ("X and Y", "X보다 Y", "X과 Y")."""
_NOT_A_SIDE = frozenset(
    {
        "how",
        "what",
        "why",
        "when",
        "which",
        "does",
        "do",
        "is",
        "are",
        "the",
        "explain",
        "differ",
        "difference",
        "between",
        "used",
        "use",
        "more",
        "less",
        "s",
        "in",
        "a",
        "an",
        "you",
        "such",
        "as",
        "these",
        "days",
        "each",
        "it",
        "its",
    }
)

MIN_SWAPPED = 2
"""Concepts an answer must give to the wrong side before it reads as swapped: one may be a
slip or a reading of the clause's side that is off."""

_CLAUSE_END = re.compile(
    r"(?P<stop>[.!?\n](?=\s|$))|[;,]|\b(?:while|whereas|but|however)\b"
    r"|(?:지만|반면|는데|면서|이고|이며|이라서|라서|인데)\s"
)
"""Where a clause ends: a sentence's end (`stop`), a comma or semicolon, a contrasting
connective."""


_CONSEQUENCE = re.compile(
    r"\s*(?:and\s+)?(?:so|thus|therefore|hence|which|then|그래서|따라서|그러므로|그러면)\b",
    re.IGNORECASE,
)
"""A clause opening with a consequence speaks of the whole, not of the side named before it."""
_NEGATION = re.compile(
    r"\b(?:not|no|never|without|neither|nor|avoids?|prevents?|free of)\b"
    r"|n't|않|없(?!이)|안 |못 |아니"
)
"""A clause that denies what it says ("ReLU does not saturate", "기울기 소실이 없다") gives
nothing to its side: read neither way ("재학습 없이", without retraining, denies nothing)."""


_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@lru_cache(maxsize=4096)
def _pattern(name: str, *, hyphen: bool) -> re.Pattern[str]:
    """`name` as a whole word; with `hyphen`, a hyphen ends no word ("classifier" is not found
    inside "classifier-free"), without it "decoder" is found in "decoder-only"."""
    flags = 0 if name.isupper() else re.IGNORECASE
    edge = "A-Za-z0-9-" if hyphen else "A-Za-z0-9"
    return re.compile(rf"(?<![{edge}]){re.escape(name)}(?![{edge}])", flags)


Patterns = tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]


def _patterns(pair: tuple[Side, Side]) -> Patterns:
    """The pair's names as patterns: a written pair's names as words, a question's own as
    whole hyphenated words."""
    first, second = pair
    hyphen = pair not in PAIRS and pair != DIRECTION
    return (
        tuple(_pattern(n, hyphen=hyphen) for n in first),
        tuple(_pattern(n, hyphen=hyphen) for n in second),
    )


_ARTICLE = re.compile(r"\b(?:the|a|an)\s+", re.IGNORECASE)
"""An article, read as the first of two words with the name after it ("the correlation")."""
_PROPER_NAME = re.compile(
    r"(?<![A-Za-z0-9-])(?:[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9]*|(?<!^)[A-Z][a-z]+)(?![A-Za-z0-9-])"
)
"""A word a question names a thing by wherever it stands: one with a capital past its first
letter (GRU, PyTorch, RLHF) or a capitalised word that does not open the question (Nesterov,
Pearson)."""
_DIFFERS_FROM = re.compile(r"\b(?:from|than|compared)\b")
"""A connective whose left side may be the question's subject, named before it: "What is
mutual information, and how does it differ from the correlation coefficient?"."""


def _terms(text: str, *, wide: bool = False, opens: bool = False) -> list[str]:
    """The names in `text` (`_QUESTION_TERM`): each word, and each two words. `wide`: also the
    names an article or another word hides as the first of two ("How does a GRU differ", "the
    correlation coefficient"), and every proper name (`_PROPER_NAME`; `opens`: whether `text`
    opens the question, whose first word is capitalised anyway)."""
    texts = (text, _ARTICLE.sub("", text)) if wide else (text,)
    terms: list[str] = []
    for match in (m for t in texts for m in _QUESTION_TERM.finditer(t)):
        words = match.group().split(" ")
        for term in (words[0], match.group()) if len(words) > 1 else (words[0],):
            if not set(term.lower().split(" ")) & _NOT_A_SIDE and len(term) > 1:
                terms.append(term)
    if wide:
        for match in _PROPER_NAME.finditer(text.lstrip() if opens else " " + text):
            if match.group().lower() not in _NOT_A_SIDE:
                terms.append(match.group())
    return list(dict.fromkeys(terms))


_KOREAN_PHRASE = r"[^\s,?()]+(?: [^\s,?()]+){0,2}?"
_KOREAN_ASKED = (
    re.compile(
        rf"^(?P<x>{_KOREAN_PHRASE})(?:\([^)]*\))?[은는] (?:[^?]*?, ?)?"
        rf"(?P<y>{_KOREAN_PHRASE})(?:\([^)]*\))?[와과] (?:어떻게 |무엇이 |뭐가 )?다[르른]"
    ),
    re.compile(
        rf"^(?P<x>{_KOREAN_PHRASE})(?:\([^)]*\))?[와과] "
        rf"(?P<y>{_KOREAN_PHRASE})(?:\([^)]*\))?(?:[은는] (?:[^?]*?)?다[르른]|의 차이)"
    ),
)
"""The Korean questions that set two names against each other, in Hangul too: "X는 (…,) Y와
어떻게 다른가요" ("Mutual information은 무엇이고, 상관계수와 어떻게 다른가요") and "X와 Y는 어떻게
다른가요" / "X와 Y의 차이" ("상관관계와 인과관계는 어떻게 다르고")."""
_PLAIN = re.compile(r"^(?:일반|원래|기본|단순)(?:적인)? ")
"""A word a Korean question sets a plain thing apart with ("일반 VAE"), which an answer may
leave out."""


_ENDS_A_PHRASE = re.compile(r"(?:의|에서|이고|하고|과|와|을|를|에)$")
"""A Korean ending after which the name starts afresh ("WGAN의 weight clipping" names weight
clipping, "무엇이고 log loss" log loss)."""


def _bare(phrase: str) -> str:
    """`phrase` from the word after its last `_ENDS_A_PHRASE`."""
    words = phrase.split(" ")
    cut = max((i + 1 for i, w in enumerate(words[:-1]) if _ENDS_A_PHRASE.search(w)), default=0)
    return " ".join(words[cut:])


def _korean_pairs(question: str) -> list[tuple[Side, Side]]:
    """The pair a Korean question sets against each other (`_KOREAN_ASKED`), each side by the
    phrase the question names it with and, after a word like 일반, by the rest too."""
    for asked in _KOREAN_ASKED:
        found = asked.match(question.strip())
        if found is None:
            continue
        x, y = _bare(found.group("x")), _bare(found.group("y"))
        ys = (y, _PLAIN.sub("", y)) if _PLAIN.match(y) else (y,)
        sides = tuple(dict.fromkeys(n for n in ys if n.lower() not in x.lower()))
        if sides and y.lower() not in x.lower() and x.lower() not in y.lower():
            return [((x,), sides)]
    return []


_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_LISTED = re.compile(
    r"(?:(?P<before>[A-Za-z][A-Za-z0-9-]*) )?(?P<first>[A-Za-z][A-Za-z0-9-]*), "
    r"(?P<middle>(?:[A-Za-z][A-Za-z0-9-]*, )*)(?P<last>[A-Za-z][A-Za-z0-9-]*),? (?:and|or) "
    r"(?P<after>[A-Za-z][A-Za-z0-9-]*)\b"
)
"""Three names or more a question lists ("what characterizes MAE, RMSE and MAPE"): each is set
against each of the others, not only the last against those before it."""


def _listed(question: str) -> list[list[str]]:
    """The lists of names a question holds (`_LISTED`), each name a word `_terms` keeps; a first
    name may be two words ("greedy decoding, temperature, top-k and top-p"), and is read both
    ways, as `_terms` reads a name: one list each."""
    lists: list[list[str]] = []
    for found in _LISTED.finditer(question):
        first, before = found.group("first"), found.group("before")
        rest = [*found.group("middle").split(", ")[:-1], found.group("last"), found.group("after")]
        if not all(_terms(name) == [name] for name in [first, *rest]):
            continue
        lists.append([first, *rest])
        if before and before.lower() not in _NOT_A_SIDE:
            lists.append([f"{before} {first}", *rest])
    return lists


@lru_cache(maxsize=1024)
def listed_pairs(
    questions: tuple[str, ...], references: tuple[str, ...]
) -> tuple[tuple[Side, Side], ...]:
    """Every two names of a list a question holds ("MAE, RMSE and MAPE"), where the model
    answers describe each name apart: no sentence of theirs names two of the list. Where one
    does ("Adam combines momentum with RMSprop"), a clause naming RMSprop may speak of Adam, and
    reading it as RMSprop's would place Adam's concepts on RMSprop's side."""
    pairs: dict[tuple[Side, Side], None] = {}
    for question in questions:
        for names in _listed(question):
            patterns = [_pattern(n, hyphen=True) for n in names]
            sentences = [s for r in references for s in _SENTENCES.split(r)]
            if any(sum(bool(p.search(s)) for p in patterns) > 1 for s in sentences):
                continue
            for a, b in itertools.combinations(names, 2):
                pair: tuple[Side, Side] = ((a,), (b,))
                if not _written(pair) and pair[::-1] not in pairs:
                    pairs[pair] = None
    return tuple(pairs)


def question_pairs(
    questions: Sequence[str], *, wide: bool = False
) -> tuple[tuple[Side, Side], ...]:
    """Every two names a question sets against each other: one before a connective
    (`_SET_AGAINST`), one after it, neither said on the other's side ("quantization" names
    neither of "post-training quantization and quantization-aware training"). `wide`: names
    read by `_terms`' wide reading, and the question's subject as the left side of "it differs
    from" where nothing is named before the connective."""
    pairs: dict[tuple[Side, Side], None] = {}
    for question in questions:
        cuts = [(m.start(), m.end()) for m in _SET_AGAINST.finditer(question)]
        bounds = [0, *(end for _, end in cuts)]
        for index, (start, end) in enumerate(cuts):
            after = cuts[index + 1][0] if index + 1 < len(cuts) else len(question)
            before, behind = question[bounds[index] : start], question[end:after]
            lefts = _terms(before, wide=wide, opens=index == 0)
            if wide and not lefts and index > 0 and _DIFFERS_FROM.match(question, start):
                before = question[: cuts[0][0]]
                lefts = _terms(before, wide=True, opens=True)
            for left in lefts:
                for right in _terms(behind, wide=wide):
                    if left.lower() not in behind.lower() and right.lower() not in before.lower():
                        pairs[((left,), (right,))] = None
        if wide:
            pairs.update(dict.fromkeys(_korean_pairs(question)))
    return tuple(pairs)


def _names(text: str, side: tuple[re.Pattern[str], ...]) -> bool:
    return any(p.search(text) for p in side)


def _clauses(text: str) -> list[tuple[tuple[int, int], bool]]:
    """The spans of `text` cut at every clause end, each with whether it ends a sentence."""
    spans, start = [], 0
    for end in _CLAUSE_END.finditer(text):
        if end.start() > start:
            spans.append(((start, end.start()), end.group("stop") is not None))
        start = end.end()
    if start < len(text):
        spans.append(((start, len(text)), True))
    return spans


def _sides_of(
    text: str, pair: Patterns, *, consequences: bool = False
) -> list[tuple[tuple[int, int], int | None]]:
    """Each clause of `text` and the side (0, 1) of `pair` it speaks of: the one it names, or,
    naming neither, the one the clause before it in the same sentence spoke of, unless it
    opens with a consequence ("so you can sample new data" says nothing of the encoder the
    clause before named) and `consequences` is not asked for (a model answer's "so q spreads
    out to cover every mode" is still said of the forward KL it follows); None where it names
    both, or neither with nothing carried to it."""
    first, second = pair
    out: list[tuple[tuple[int, int], int | None]] = []
    current: int | None = None
    for (start, end), ends_sentence in _clauses(text):
        words = text[start:end]
        one, two = _names(words, first), _names(words, second)
        if one or two:
            current = None if one and two else (0 if one else 1)
        elif not consequences and _CONSEQUENCE.match(words):
            current = None
        out.append(((start, end), current))
        if ends_sentence:
            current = None
    return out


@dataclass(frozen=True)
class Roles:
    """The pair a prompt's model answers set against each other (a written pair of `PAIRS` or
    two names of its question), and the side each key concept belongs to."""

    pair: tuple[Side, Side]
    owner: dict[str, int]

    @property
    def patterns(self) -> Patterns:
        return _patterns(self.pair)

    def names(self, lang: str) -> tuple[str, str]:
        """The two sides' names, in `lang` where the list has one."""
        first, second = self.pair
        return _named(first, lang), _named(second, lang)


def _named(side: Side, lang: str) -> str:
    """A side's name for a member reading `lang`: an acronym as it is ("L1", "MLE"), another
    in Korean where the list has it ("인코더")."""
    if lang == "ko" and not side[0].isupper():
        return next((n for n in side if re.search(r"[가-힣]", n)), side[0])
    return side[0]


@lru_cache(maxsize=1024)
def roles_of(
    concepts: tuple[Concept, ...], references: tuple[str, ...], questions: tuple[str, ...] = ()
) -> Roles | None:
    """The pair the model answers draw most clearly (`drawn_roles`' first), or None."""
    drawn = drawn_roles(concepts, references, questions)
    return drawn[0] if drawn else None


@lru_cache(maxsize=1024)
def drawn_roles(
    concepts: tuple[Concept, ...], references: tuple[str, ...], questions: tuple[str, ...] = ()
) -> tuple[Roles, ...]:
    """Every pair the model answers draw: both sides named in them, each owning a concept (or
    `MIN_SWAPPED` owned by a written pair's sides), clearest first (the most concepts owned
    less those stated on both sides equally). Drawn from the written pairs and the question's
    own names (a direction, high or low, where none is drawn). Each concept's side is the one
    the references' clauses stating it name more often. A question may draw two pairs, one of
    them the concepts' own names (forward and reverse KL, mode-seeking and mode-covering):
    under the names' pair every concept sits on its own side by definition, and only the other
    pair can see the swap."""
    asked = (*question_pairs(questions), *listed_pairs(questions, references))
    named = _drawn(concepts, references, (*PAIRS, *asked))
    return named or _drawn(concepts, references, (DIRECTION,))


def _written(pair: tuple[Side, Side]) -> bool:
    """Whether a question's pair is a written pair (`PAIRS`), in either order."""
    names = {n.lower() for side in pair for n in side}
    return any(names <= {n.lower() for side in written for n in side} for written in PAIRS)


def _drawn(
    concepts: tuple[Concept, ...],
    references: tuple[str, ...],
    pairs: Sequence[tuple[Side, Side]],
) -> tuple[Roles, ...]:
    drawn: list[tuple[int, int, Roles]] = []
    for index, pair in enumerate(pairs):
        patterns = _patterns(pair)
        first, second = patterns
        if not any(_names(r, first) for r in references) or not any(
            _names(r, second) for r in references
        ):
            continue
        votes: dict[str, Counter[int]] = {}
        for reference in references:
            for (start, end), side in _sides_of(reference, patterns):
                if side is None:
                    continue
                text = AnswerText.of(reference[start:end])
                for concept in concepts:
                    if concept_present(concept, text):
                        votes.setdefault(concept.id, Counter())[side] += 1
        owner = {
            cid: count.most_common(1)[0][0]
            for cid, count in votes.items()
            if len(count) == 1 or count[0] != count[1]
        }
        clear = len(owner) - (len(votes) - len(owner))
        both_sides = len(set(owner.values())) == 2
        if clear > 0 and (both_sides or (pair in PAIRS and len(owner) >= MIN_SWAPPED)):
            drawn.append((-clear, index, Roles(pair, owner)))
    return tuple(roles for _, _, roles in sorted(drawn, key=lambda d: d[:2]))


@dataclass(frozen=True)
class Swap:
    """An answer that gives concepts of one side to the other: which (`concepts`; none where
    only the sides' words were read), and the sides' pair."""

    roles: Roles
    concepts: tuple[str, ...]
    agreeing: int


def swapped(
    concepts: Sequence[Concept],
    references: Sequence[str],
    answer: str,
    matches: Sequence[ConceptMatch],
    questions: Sequence[str] = (),
) -> Swap | None:
    """The swap an answer makes under any pair the model answers draw (`drawn_roles`, clearest
    first): at least `MIN_SWAPPED` concepts given to the wrong side and more than to the right
    one; None otherwise."""
    drawn = drawn_roles(tuple(concepts), tuple(references), tuple(questions))
    for roles in drawn:
        swap = _swapped_under(roles, answer, matches)
        if swap is not None:
            return swap
    for pair, least in _named_pairs(tuple(concepts), tuple(references), tuple(questions)):
        words = side_words(pair, tuple(references))
        swap = said_of_the_other_side(pair, words, answer, least=least)
        if swap is not None:
            return swap
    return None


def _swapped_under(roles: Roles, answer: str, matches: Sequence[ConceptMatch]) -> Swap | None:
    """The swap under one pair. A match is read in the clause it starts in; one that runs past
    that clause's end (a passage found by meaning, "평균 내고, boosting은 순차적으로") could
    belong to either side, and is not read."""
    first, second = roles.patterns
    sides = _sides_of(answer, roles.patterns)
    wrong, right = [], 0
    for match in matches:
        own = roles.owner.get(match.concept)
        if own is None or not match.spans:
            continue
        start, end = match.spans[0]
        said = next(((span, side) for span, side in sides if span[0] <= start < span[1]), None)
        if said is None or said[1] is None or end > said[0][1]:
            continue
        clause = answer[said[0][0] : said[0][1]]
        if _NEGATION.search(clause):
            continue
        if said[1] == own:
            right += 1
        elif not _names(clause, first if own == 0 else second):
            wrong.append(match.concept)
    if len(wrong) >= MIN_SWAPPED and len(wrong) > right:
        return Swap(roles, tuple(wrong), right)
    return None


QUESTION_PAIR_WORDS = 2
"""Words of the other side a clause must hold to count as said of it, under a pair only the
question names (`question_pairs`, read wide) that draws no key concept: such a pair's side words
are read off model answers that may say of one side what the other lacks ("an MLP must learn
the same detector separately at every position"), so one shared word is no sign."""


@lru_cache(maxsize=1024)
def _named_pairs(
    concepts: tuple[Concept, ...], references: tuple[str, ...], questions: tuple[str, ...]
) -> tuple[tuple[tuple[Side, Side], int], ...]:
    """The pairs read by their words, each with the fewest of the other side's words a clause
    must hold to count: every named pair drawn, and every written pair both of whose sides the
    model answers name, though no key concept belongs to either (the concepts may be the two
    names themselves), one word; and every pair of the question's own names (`question_pairs`,
    read wide) both of whose sides the model answers name, `QUESTION_PAIR_WORDS` (a model
    answer may say what one side does and only name the other: "Nesterov ... at the look-ahead
    point"). Not a direction: "large" and "small" are said of everything. Read once per
    prompt: it looks for every written pair's names in every model answer."""
    drawn = drawn_roles(concepts, references, questions)
    pairs = {roles.pair: 1 for roles in drawn if roles.pair != DIRECTION}
    asked = (
        *question_pairs(questions),
        *question_pairs(questions, wide=True),
        *listed_pairs(questions, references),
    )
    for pair, least in (*((p, 1) for p in PAIRS), *((p, QUESTION_PAIR_WORDS) for p in asked)):
        first, second = _patterns(pair)
        if pair not in pairs and all(
            any(_names(r, side) for r in references) for side in (first, second)
        ):
            pairs[pair] = least
    return tuple(pairs.items())


def _words(text: str, *, bank: bool) -> frozenset[str]:
    """The content lemmas of `text` that hold a letter and two characters or more: a number
    or a particle says nothing of a side."""
    lemmas = bank_words(text) if bank else content_words(text)
    return frozenset(w for w in lemmas if len(w) >= 2 and any(ch.isalpha() for ch in w))


@lru_cache(maxsize=1024)
def side_words(
    pair: tuple[Side, Side], references: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """The words the model answers' clauses say of one side of `pair` and never of the other
    (a clause that denies what it says counts for neither; one opening with a consequence
    counts for the side before it), less the sides' names: what a member could only take from
    that side. The question's own words stay: where it asks which side does something ("which
    goes down: bias or variance?", 무엇이 줄어드나요), its word for that is what the model answers
    say of one side, and giving it to the other is the swap."""
    patterns = _patterns(pair)
    said: tuple[set[str], set[str]] = (set(), set())
    for reference in references:
        for (start, end), side in _sides_of(reference, patterns, consequences=True):
            clause = reference[start:end]
            if side is not None and not _NEGATION.search(clause):
                said[side].update(_words(clause, bank=True))
    common = frozenset().union(*(_words(name, bank=True) for name in (*pair[0], *pair[1])))
    first, second = said
    return frozenset(first - second - common), frozenset(second - first - common)


def said_of_the_other_side(
    pair: tuple[Side, Side],
    words: tuple[frozenset[str], frozenset[str]],
    answer: str,
    *,
    least: int = 1,
) -> Swap | None:
    """The swap read by the sides' words alone: clauses of the answer that each speak of one
    side (`_sides_of`) and hold more of the other side's words (`side_words`) than of their
    own, and `least` of them or more; at least `MIN_SWAPPED` such clauses, of both sides, and
    more than the clauses holding more of their own side's words. A clause that denies what it
    says gives nothing. Read only where no key concept is placed wrong, this finds no swap in a
    right answer of the dev set, the held-out files or the truth set's open half
    (docs/grading.md)."""
    patterns = _patterns(pair)
    wrong: list[int] = []
    right = 0
    for (start, end), side in _sides_of(answer, patterns):
        clause = _asserted(answer[start:end])
        if side is None or clause is None:
            continue
        said = _words(clause, bank=False)
        own, other = len(said & words[side]), len(said & words[1 - side])
        if other > own and other >= least:
            wrong.append(side)
        elif own > other:
            right += 1
    if len(wrong) >= MIN_SWAPPED and len(wrong) > right and len(set(wrong)) == 2:
        return Swap(Roles(pair, {}), (), right)
    return None


def _asserted(clause: str) -> str | None:
    """What a clause asserts: all of it, or, in English, what it says before a negation, whose
    reach runs rightward ("… so the model learns to follow instructions it has never seen" still
    gives its side the instructions mixed in; "ReLU does not saturate" gives nothing); None for a
    Korean clause that denies anything, whose negation follows the words it denies."""
    negation = _NEGATION.search(clause)
    if negation is None:
        return clause
    if _HANGUL.search(clause):
        return None
    return clause[: negation.start()]


def _said_of_a_side(roles: Roles, concept: Concept | None) -> bool:
    """Whether a concept can be said of the wrong side of `roles`: under a pair of names, any
    concept the model answers give a side; under a direction (a knob set high or low) only a
    concept that itself states one ("C가 크면 좁은 margin"). The knob is named beside its
    direction in the model answers ("a learning rate too large oscillates") and so gets a side,
    but an answer naming it beside the other direction ("a small step, scaled by the learning
    rate") still states it."""
    if concept is None:
        return False
    if roles.pair != DIRECTION:
        return True
    first, second = roles.patterns
    return any(_names(form, first) or _names(form, second) for form in concept.surface_forms())


def misplaced(
    concepts: Sequence[Concept],
    references: Sequence[str],
    answer: str,
    matches: Sequence[ConceptMatch],
    questions: Sequence[str] = (),
) -> frozenset[str]:
    """The matched concepts some piece of whose evidence sits in a clause of the answer that
    speaks of the other side of a pair the model answers draw, without naming the concept's own
    side: "C가 클수록 margin이 넓어지고, C가 작으면 margin이 좁아져서" holds every word of "C가
    크면 좁은 margin", but 좁아져서 is said of a small C; a clause that denies what it says ("ReLU
    avoids the vanishing gradient") gives nothing to its side. One such concept does not make an
    answer
    swapped (`swapped` needs `MIN_SWAPPED`, each read whole in its clause), but the grader
    cannot be sure the answer states it: it is told neither way (`reading.sure_credit`). A
    piece the answer says more than once ("margin" of both sides) is not placed: a lemma's
    place is its first."""
    out: set[str] = set()
    folded = answer.casefold()
    by_id = {concept.id: concept for concept in concepts}
    for roles in drawn_roles(tuple(concepts), tuple(references), tuple(questions)):
        patterns = roles.patterns
        sides = _sides_of(answer, patterns)
        for match in matches:
            own = roles.owner.get(match.concept)
            if own is None or not _said_of_a_side(roles, by_id.get(match.concept)):
                continue
            for start, end in match.spans:
                if folded.count(folded[start:end]) > 1:
                    continue
                said = next(((s, side) for s, side in sides if s[0] <= start < s[1]), None)
                if said is None or said[1] is None or said[1] == own:
                    continue
                clause = answer[said[0][0] : said[0][1]]
                if not _NEGATION.search(clause) and not _names(clause, patterns[own]):
                    out.add(match.concept)
    return frozenset(out)
