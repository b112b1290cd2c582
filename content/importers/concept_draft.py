"""Key concepts drafted from a team prompt's model answer, for imported prompts that name none.

The grader names the ideas an answer missed only when a prompt has key concepts, and a team's notes
rarely list them. A draft starts the list: the terms of the model answer (Korean noun runs read by
Kiwi, English runs of content words matched by their Snowball stems) that are distinctive for this
prompt, rarer across the bank's other answers, and not already said by the question. Each one is
marked `drafted: true` so `quizmaster content check` lists it for an admin to review; its id is a
readable slug (English, or romanised Hangul), never a digest.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from content.importers.imported_bank import readable_slug
from content.language_tools import KIWI_LOCK, kiwi, stem_en
from content.schema import BankFile, Concept, Prompt

MAX_DRAFTED = 5
MAX_TERM_WORDS = 3
WORDS_PER_CONCEPT = 3
"""A reference gets about one drafted concept per this many distinct content words, so a one-line
answer is not held to five terms."""

# Kiwi tags of words that make a term: common and proper nouns, Latin words, hanja; a prefix (비,
# 무) joins the word after it and a noun suffix (성, 화) the word before it.
_TERM_TAGS = frozenset({"NNG", "NNP", "SL", "SH"})
_PREFIX, _SUFFIX = "XPN", "XSN"
_VERB_SUFFIXES = frozenset({"XSV", "XSA"})
"""하다 after a noun (수행하다, 가능하다): the noun is used as a verb or adjective, no term."""
# Words too common to name a concept: generic Korean nouns, English function words and verbs.
_KO_GENERIC_WORDS = """
것 수 때 등 거 점 중 경우 문제 문제점 부분 방법 이유 의미 정도 상태 형태 사용 다음 말 값 번 개
가지 이상 이하 전 후 위 아래 내 외 간 측 쪽 면 데 바 뿐 대부분 자체 관련 과정 결과 역할 특징 차이
차이점 장점 단점 필요 필요성 설명 생각 이용 정리 예 예시 개념 내용 방식 모두 하나
마지막 처음 첫번째 두번째"""
_KO_GENERIC = frozenset(_KO_GENERIC_WORDS.split())
_EN_GENERIC_WORDS = """
a an the of to in on for and or but nor is are was were be been being am it its this that these
those with as by from at which what when where who whom whose how why can could would should
will shall may might must do does did done doing has have had having not no yes so if then than
there here their they them we us you your our i me my he she his her also just more most less
least very much many some any each every such into onto out up down about over under only other
another same both all one two three use used uses using make makes made making get gets got
keep keeps kept go goes went let lets via per e.g i.e etc thing things way ways lot well even
still often always never usually really quite rather whether while because since though
although however therefore thus hence like unlike instead able new old good bad big small large
high low first second last next back part parts case cases kind sort type types answer question
mean means meaning example around across along through between within without against toward
towards after before during until upon among behind beyond add adds added give gives given take
takes taken become becomes stay stays settle settles lower lowers raise raises help helps
reduce reduces increase increases decrease decreases find finds found show shows need needs
work works run runs try tries want wants seem seems call called put puts set sets see seen say
says said start starts end ends"""
_EN_GENERIC = frozenset(_EN_GENERIC_WORDS.split())
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"\n|[.!?](?=\s)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_PAREN = re.compile(r"\(([^()]{1,60})\)")


@dataclass(frozen=True)
class _Word:
    """One content word of a text: where it is and what it compares as."""

    start: int
    end: int
    key: str


@dataclass
class _Term:
    """A candidate concept: its word keys, the first wording seen, and where it occurs."""

    keys: tuple[str, ...]
    surface: str
    spans: list[tuple[int, int]]


class ConceptDrafter:
    """Drafts concepts for the prompts of one bank, knowing how common each word is across the
    bank's model answers."""

    def __init__(self, references: Sequence[str]) -> None:
        self._documents = len(references)
        self._frequency: Counter[str] = Counter()
        for text in references:
            self._frequency.update({word.key for word in _words(text)})

    def draft(self, reference: str, question: str) -> tuple[Concept, ...]:
        """Up to `MAX_DRAFTED` concepts for a prompt asking `question` with model answer
        `reference`, most distinctive first; each marked drafted."""
        words = _words(reference)
        asked = {word.key for word in _words(question)}
        weight = _placed(reference, words)
        score = {key: placed * self._rarity(key) for key, placed in weight.items()}
        terms = _terms(reference, words)
        others = _other_wordings(reference, terms)
        ranked = sorted(
            (t for t in terms.values() if t.keys[0] not in asked and t.keys[-1] not in asked),
            key=lambda term: -_term_score(term, score, asked),
        )
        wanted = min(MAX_DRAFTED, max(1, math.ceil(len(weight) / WORDS_PER_CONCEPT)))
        used: set[str] = set()
        concepts: list[Concept] = []
        for term in ranked:
            if len(concepts) == wanted:
                break
            other = others.get(term.keys)
            keys = set(term.keys) | set(other.keys if other else ())
            if keys & used:
                continue
            concept = _concept(term, other, {c.id for c in concepts})
            if concept is not None:
                used |= keys
                concepts.append(concept)
        return tuple(concepts)

    def _rarity(self, key: str) -> float:
        """Inverse document frequency over the bank's references (the drafted one among them)."""
        return math.log((1 + self._documents) / max(1, self._frequency[key]))


def _placed(text: str, words: list[_Word]) -> dict[str, float]:
    """Each word's count in `text`, an occurrence weighing less the later its sentence: notes
    put the main point first."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    weight: dict[str, float] = {}
    sentence = 0
    for word in words:
        while sentence < len(ends) and ends[sentence] <= word.start:
            sentence += 1
        weight[word.key] = weight.get(word.key, 0.0) + 1 / (1 + 0.5 * sentence)
    return weight


def _term_score(term: _Term, score: dict[str, float], asked: set[str]) -> float:
    """The mean score of the term's words the question does not say, a little more for each
    further one: `vanishing gradient` says more than `gradient`."""
    new = [score[key] for key in term.keys if key not in asked]
    return sum(new) / len(new) * (1 + 0.25 * (len(new) - 1))


def draft_missing_concepts(bank_file: BankFile) -> BankFile:
    """The bank with drafted concepts on every graded prompt that has a model answer and no
    concepts; the other prompts as they were."""
    return bank_file.model_copy(update={"prompts": with_drafted_concepts(bank_file.prompts)})


def with_drafted_concepts(prompts: Sequence[Prompt]) -> tuple[Prompt, ...]:
    """`prompts` (one bank's) with drafted concepts on each graded one that has a model answer
    and no concepts, word rarity counted over all their model answers."""
    drafter = ConceptDrafter([r.text for p in prompts for r in p.references])
    return tuple(_drafted(prompt, drafter) for prompt in prompts)


def _drafted(prompt: Prompt, drafter: ConceptDrafter) -> Prompt:
    if prompt.kind != "graded" or prompt.concepts or not prompt.references:
        return prompt
    reference = "\n".join(r.text for r in prompt.references)
    concepts = drafter.draft(reference, f"{prompt.text.ko}\n{prompt.text.en}")
    return prompt.model_copy(update={"concepts": concepts}) if concepts else prompt


def _concept(term: _Term, other: _Term | None, taken: set[str]) -> Concept | None:
    """The concept of `term`, labelled in each language the notes word it in; None when its
    wording has no letter an id can be made of."""
    korean, english = term.surface, term.surface
    if other is not None:
        if _HANGUL.search(term.surface):
            english = other.surface
        else:
            korean = other.surface
    slug = readable_slug(english if not _HANGUL.search(english) else korean, 40)
    if not slug:
        return None
    concept_id, number = slug, 1
    while concept_id in taken:
        number += 1
        concept_id = f"{slug}-{number}"
    return Concept(id=concept_id, ko=korean, en=english, drafted=True)


def _terms(text: str, words: list[_Word]) -> dict[tuple[str, ...], _Term]:
    """Every run of up to `MAX_TERM_WORDS` adjacent content words (only spaces between them),
    by its word keys, in order of first appearance."""
    terms: dict[tuple[str, ...], _Term] = {}
    for run in _runs(text, words):
        for size in range(1, MAX_TERM_WORDS + 1):
            for first in range(len(run) - size + 1):
                gram = run[first : first + size]
                keys = tuple(word.key for word in gram)
                if len(set(keys)) < size:
                    continue
                span = (gram[0].start, gram[-1].end)
                surface = " ".join(text[span[0] : span[1]].split())
                terms.setdefault(keys, _Term(keys, surface, [])).spans.append(span)
    return terms


def _runs(text: str, words: list[_Word]) -> Iterator[list[_Word]]:
    """The words in runs, a run ending wherever anything but spaces comes between two words."""
    run: list[_Word] = []
    for word in words:
        if run and text[run[-1].end : word.start].strip():
            yield run
            run = []
        run.append(word)
    if run:
        yield run


def _other_wordings(text: str, terms: dict[tuple[str, ...], _Term]) -> dict[tuple[str, ...], _Term]:
    """Terms written with their other-language wording in brackets right after them, as in
    `기울기 소실(vanishing gradient)`, each mapped to that wording (both ways)."""
    exact = {span: term for term in terms.values() for span in term.spans}
    pairs: dict[tuple[str, ...], _Term] = {}
    for match in _PAREN.finditer(text):
        inner_text = match.group(1)
        inner = exact.get((match.start(1) + _lead(inner_text), match.end(1) - _tail(inner_text)))
        if inner is None:
            continue
        term = _ending_at(terms, len(text[: match.start()].rstrip()), len(inner.keys))
        if term is not None and bool(_HANGUL.search(term.surface)) != bool(
            _HANGUL.search(inner.surface)
        ):
            pairs.setdefault(term.keys, inner)
            pairs.setdefault(inner.keys, term)
    return pairs


def _ending_at(terms: dict[tuple[str, ...], _Term], end: int, size: int) -> _Term | None:
    """The term with an occurrence ending at `end` whose word count is nearest `size` (the
    bracketed wording's), so `심층 신경망 기울기 소실(vanishing gradient)` pairs 기울기 소실."""
    found = [t for t in terms.values() if any(span[1] == end for span in t.spans)]
    return min(found, key=lambda t: (abs(len(t.keys) - size), -len(t.keys)), default=None)


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def _tail(text: str) -> int:
    return len(text) - len(text.rstrip())


def _words(text: str) -> list[_Word]:
    """The content words of `text` in order: Latin words from the text itself (stemmed), Korean
    nouns from Kiwi, generic words left out."""
    latin = [_latin_word(match) for match in _LATIN.finditer(text)]
    words = [word for word in latin if word is not None]
    if _HANGUL.search(text):
        spans = [(match.start(), match.end()) for match in _LATIN.finditer(text)]
        words.extend(_korean_words(text, spans))
        words.sort(key=lambda word: word.start)
    return words


def _latin_word(match: re.Match[str]) -> _Word | None:
    word = match.group().casefold()
    parts = word.split("-")
    generic = word in _EN_GENERIC or word.endswith("ly")
    if generic or all(len(part) < 2 or part in _EN_GENERIC for part in parts):
        return None
    return _Word(match.start(), match.end(), "-".join(map(stem_en, parts)))


def _korean_words(text: str, latin: list[tuple[int, int]]) -> list[_Word]:
    """Kiwi's nouns (with a prefix or noun suffix joined on), leaving Latin words to the text."""
    words: list[_Word] = []
    prefix: tuple[int, str] | None = None
    for form, tag, start, end in _tokens(text):
        if any(start < stop and begin < end for begin, stop in latin):
            prefix = None
            continue
        if tag == _PREFIX:
            prefix = (start, form)
            continue
        if tag in _VERB_SUFFIXES and words and words[-1].end == start:
            words.pop()
        elif tag == _SUFFIX and words and words[-1].end == start:
            last = words.pop()
            words.append(_Word(last.start, end, last.key + form))
        elif tag in _TERM_TAGS and form not in _KO_GENERIC:
            if prefix is not None:
                words.append(_Word(prefix[0], end, prefix[1] + form))
            elif len(form) > 1 or tag == "SH":
                words.append(_Word(start, end, form))
        prefix = None
    return words


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(form, tag, start, end) of each Kiwi token of `text`."""
    with KIWI_LOCK:
        return [
            (str(t.form), str(t.tag), int(t.start), int(t.start) + int(t.len))
            for t in kiwi().tokenize(text)
        ]
