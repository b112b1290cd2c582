"""Key concepts drafted from a team prompt's model answer, for imported prompts that name none.

The grader names the ideas an answer missed only when a prompt has key concepts, and a team's notes
rarely list them. A draft starts the list from what the model answer claims: a concept names an
idea, so it is a noun phrase of the answer (`sum of absolute weights`, `sparse models`,
`가중치 절댓값의 합`, `희소한 모델`), never a lone everyday word (`sum`, `zero`, `weights`, `학습`,
`이동`): a single word is a concept only where it reads as a term (an acronym or a word with
capitals or digits inside, a hyphenated compound, an English term in Korean notes, a Korean noun
of three syllables or more) or where the notes give its other-language wording in brackets. The
phrases are read with the language tools the grader reads words with (`content.language_tools`:
Kiwi for Korean, Snowball stems for English), ranked by how distinctive their words are for this
prompt (rarer across the bank's other answers, earlier in the answer) and kept only when the
question does not already say them. A concept carries its other wordings as synonyms: the bracketed
aside after it (`(L1 penalty)`), or the clause it sums up (`pushes many weights to exactly zero,
giving sparse models`: `sparse models` with `weights to exactly zero`).

Each is marked `drafted: true`: `quizmaster content check` and the web page list it for an admin
to review, and until then it may give credit but is never told to a member as missed
(`evaluators.feedback.told_of`). Its id is a readable slug (English, or romanised Hangul), never a
digest; members read its label, in the notes' own words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from content.importers.imported_bank import readable_slug
from content.language_tools import KIWI_LOCK, kiwi, stem_en
from content.schema import BankFile, Concept, Prompt

MAX_DRAFTED = 5
MAX_TERM_WORDS = 3
WORDS_PER_CONCEPT = 3
"""A reference gets about one drafted concept per this many distinct content words, so a one-line
answer is not held to five terms."""
WIDER_SHARE = 0.75
"""A phrase holding a better-ranked one is drafted instead where it scores at least this share of
it: the longer phrase says the idea, its part often only a word of it."""
PAIRED = 1.5
"""A term the notes word in both languages (`포화(saturation)`) ranks this much higher: its author
named it as a term."""
MIN_KOREAN_SYLLABLES = 3
"""A lone Korean noun names an idea from this many syllables (과적합, 역행렬, 정규화); a shorter
one (학습, 이동, 평균, 통계) only inside a phrase or with its English wording beside it."""
MIN_LATIN_TERM = 6
"""A lone English word in Korean notes names an idea from this many letters (impurity,
bootstrap): Korean notes write their terms of art in English, but also `train` or `loss`."""

# Kiwi tags of words that make a term: common and proper nouns, Latin words, hanja; a prefix (비,
# 무) joins the word after it and a noun suffix (성, 화) the word before it.
_TERM_TAGS = frozenset({"NNG", "NNP", "SL", "SH"})
_PREFIX, _SUFFIX, _PLURAL, _GENITIVE = "XPN", "XSN", "들", "JKG"
_VERB_SUFFIXES = frozenset({"XSV", "XSA"})
"""하다 after a noun (수행하다, 가능하다): the noun is used as a verb or adjective, no term."""
_MODIFIER_LINKS = frozenset({"XSA", "VCP"})
_MODIFIER_STEMS = frozenset({"VV", "VA"})
_GENERIC_STEM_WORDS = """많 적 같 다르 있 없 되 하 이 아니 그렇 어떻 이러 그러 모르 알 보 쓰 주
따르 대하 위하 관하 통하 의하"""
_GENERIC_STEMS = frozenset(_GENERIC_STEM_WORDS.split())
"""Verbs and adjectives whose adnominal form (많은, 같은, 있는) says nothing of the noun after it;
another one (죽은 뉴런, 작은 배치) makes one phrase with it, a verb only in a form that says a
state (죽은, not 줄이는: what a verb is doing names no thing)."""
_ONGOING = "는"
"""하 or 이 between a noun and an adnominal ending: 희소한 모델, 독립적인 모델, the noun modifies
the next one."""
# Words too common to name a concept: generic Korean nouns, English function words and verbs.
_KO_GENERIC_WORDS = """
것 수 때 등 거 점 중 경우 문제 문제점 부분 방법 이유 의미 정도 상태 형태 사용 다음 말 값 번 개
가지 이상 이하 전 후 위 아래 내 외 간 측 쪽 면 데 바 뿐 대부분 자체 관련 과정 결과 역할 특징 차이
차이점 장점 단점 필요 필요성 설명 생각 이용 정리 예 예시 개념 내용 방식 모두 하나
마지막 처음 첫번째 두번째 대신 직전 직후 당시 기존 일종 전체 지점 최근 앞쪽 뒤쪽 덕분 때문 각각
자기 정확 실제"""
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
means meaning example around across along through between within without against toward
towards after before during until upon among behind beyond add adds added give gives given take
takes taken become becomes stay stays settle settles lower lowers raise raises help helps
reduce reduces increase increases decrease decreases find finds found show shows need needs
work works run runs try tries want wants seem seems call called put puts set sets see seen say
says said start starts end ends cannot faster slower better worse"""
_EN_GENERIC = frozenset(_EN_GENERIC_WORDS.split())
_LONE_GENERIC_WORDS = """
가중치 기울기 데이터 모델 클래스 나머지 알고리즘 네트워크 파라미터 함수 샘플 레이어 입력 출력 결과
성능 학습률
data model models target feature features positive negative value values train training test
input inputs output outputs layer layers network networks parameter parameters function method
sample samples class classes result results problem error loss weight weights"""
_LONE_GENERIC = frozenset(_LONE_GENERIC_WORDS.split())
"""Words of every subject that read as a term by their length, but name no idea alone (they do
inside a phrase: `bootstrap 샘플`, `sparse models`)."""
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}")
"""A word of capitals (BN, SGD, TPR): the notes' shorthand for a term. One whose letters are the
initials of words the question says in a row (BN, asked about batch normalization) is the
question's own subject, shortened."""
_PLAIN_WORDS = """plain simple basic standard normal regular ordinary usual naive vanilla"""
_PLAIN = frozenset(_PLAIN_WORDS.split())
"""Words that only say "the usual one" of the acronym after them (`plain SGD`): the phrase is
the lone acronym all the same."""
_COMPLEMENT = re.compile(r"\s+of\s")
_RELATIONAL = frozenset({"사이"})
"""Korean nouns of a relation between two sides (`학습과 추론 사이`): a phrase holding one whose
first side the notes joined with 과/와 before it (`추론 사이`, `추론 사이 동작`) is cut short of
that side; one that holds its sides names an idea (`클래스 사이의 관계`)."""
_FIRST_SIDE = re.compile(r"[과와]\s+$")
_MEASURE_WORDS = """size amount number magnitude length sum share fraction ratio proportion degree
level"""
_MEASURES = frozenset(_MEASURE_WORDS.split())
"""Nouns that name a measure of something: a phrase ending in one, with `of` and the thing after
it in the notes, is cut short of what it measures (`squared size` of `squared size of the
weights`); `running average of past gradients` names an idea before its `of`."""
_ADJECTIVAL = "적"
"""A lone noun in -적 (독립적, 낙관적) describes; it names an idea only with the noun it
describes."""
_EN_VERB_WORDS = """push drive shrink pull move turn penalize penalise encourage discourage
prevent cause allow enable avoid produce yield lead result tend depend require ensure replace remove
combine assign prefer choose pick apply compare count stop hold share treat ignore improve keep
speed slow damp force estimate approximate capture describe explain rescale spread provide
reflect matter try contain represent store return compute predict generate pass fail
accumulate"""
_DETERMINER_WORDS = """the a an many all each every its their some most no this these those more
less few several our your his her"""
_DETERMINERS = frozenset(_DETERMINER_WORDS.split())
"""A word right before one of these is a verb or a preposition (`adds the`, `pushes many`,
`shrinks all`), not part of a noun phrase."""
_JOINS = frozenset({"of", "의"})
"""Between two noun runs, these make one phrase: `sum of absolute weights`, `절댓값의 합`."""
_CONSEQUENCE = re.compile(
    r",\s*(?:giving|making|yielding|producing|leading to|resulting in|so that|which gives|which "
    r"makes|which means|i\.e\.,?)\s+",
    re.IGNORECASE,
)
"""`A, giving B`: B names what the clause A says, so A's words are a synonym of B."""
_CLAUSE_START = re.compile(r"[,;:]|\band\b|\bor\b|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ \t-]+[A-Za-z][A-Za-z0-9]*)*")
"""Latin words one after another, with only spaces or hyphens between."""
_SENTENCE_END = re.compile(r"\n|[.!?](?=\s)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_PAREN = re.compile(r"\(([^()]{1,60})\)")


def _verb_forms(bases: Sequence[str]) -> frozenset[str]:
    """Each verb as written: its base, third person, past and -ing forms."""
    forms: set[str] = set()
    for base in bases:
        stem = base[:-1] if base.endswith("e") else base
        third = base + "es" if base.endswith(("sh", "ch", "s", "x")) else base + "s"
        forms |= {base, third, stem + "ed", stem + "ing"}
    return frozenset(forms)


_EN_VERBS = _verb_forms(_EN_VERB_WORDS.split())


@dataclass(frozen=True)
class _Word:
    """One content word of a text: where it is, what it compares as, and whether it only
    modifies the noun after it (희소한)."""

    start: int
    end: int
    key: str
    modifier: bool = False
    verbal: bool = False
    """A verb's adnominal form (죽은, 모은): it makes a term with its noun only where the notes
    give the pair's other-language wording (죽은 뉴런(dying ReLU)); alone it mostly says what
    was done to the noun (모은 이동 평균)."""


@dataclass
class _Term:
    """A candidate concept: its word keys, the first wording seen, where it occurs, and the other
    wordings of its idea the text gives."""

    keys: tuple[str, ...]
    surface: str
    spans: list[tuple[int, int]]
    synonyms: list[str] = field(default_factory=list)


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
        others = _other_wordings(reference, terms, words)
        _add_restated(reference, words, terms)
        ranked = sorted(
            (
                t
                for t in terms.values()
                if not _says_asked(t, others.get(t.keys), asked)
                and not _abbreviates_asked(t, question)
                and (t.keys in others or (_names_idea(t, reference) and not _verbal(t, words)))
            ),
            key=lambda term: (
                -_term_score(term, score, asked) * (PAIRED if term.keys in others else 1)
            ),
        )
        wanted = min(MAX_DRAFTED, max(1, math.ceil(len(weight) / WORDS_PER_CONCEPT)))
        chosen: list[tuple[list[set[str]], set[str]]] = []
        concepts: list[Concept] = []
        for found in ranked:
            if len(concepts) == wanted:
                break
            paired = found.keys in others  # the notes name it as it is: no wider phrase
            term = found if paired else _widest(found, ranked, score, asked)
            other = others.get(term.keys)
            wordings = [set(term.keys), *([set(other.keys)] if other else [])]
            if any(
                any(w <= words_of for w in wordings) or any(w <= set(term.keys) for w in named)
                for named, words_of in chosen
            ):
                continue
            concept = _concept(term, other, {c.id for c in concepts})
            if concept is not None:
                restated = {word.key for s in term.synonyms for word in _words(s)}
                chosen.append((wordings, set().union(*wordings) | restated))
                concepts.append(concept)
        return tuple(concepts)

    def _rarity(self, key: str) -> float:
        """Inverse document frequency over the bank's references (the drafted one among them)."""
        return math.log((1 + self._documents) / max(1, self._frequency[key]))


def _says_asked(term: _Term, other: _Term | None, asked: set[str]) -> bool:
    """Whether the term opens or ends with a word the question says (ends with the head of a
    compound it says: `mini-batch` when it asks about batch normalization, not `bias-variance
    trade-off` when it asks about bias), or its other-language wording ends with one (`dying
    ReLU` when it asks about ReLU; `L1 penalty` may be asked about L1)."""
    ends = [*term.keys[:1], *term.keys[-1:], *(other.keys[-1:] if other else ())]
    return any(key in asked or key.split("-")[-1] in asked for key in ends)


def _widest(term: _Term, ranked: list[_Term], score: dict[str, float], asked: set[str]) -> _Term:
    """`term`, or the longer phrase around it that scores nearly as well: `sum of absolute
    weights` rather than `absolute weights`, the whole noun phrase the claim is made of."""
    wider = [
        other
        for other in ranked
        if len(other.keys) > len(term.keys)
        and _inside(term.keys, other.keys)
        and _term_score(other, score, asked) >= WIDER_SHARE * _term_score(term, score, asked)
    ]
    return max(wider, key=lambda other: len(other.keys), default=term)


def _inside(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _names_idea(term: _Term, text: str) -> bool:
    """Whether `term` of `text` can name an idea alone: a phrase of two words or more, or a
    single word that reads as a term (see `MIN_KOREAN_SYLLABLES`, `MIN_LATIN_TERM`)."""
    if _fragment(term, text):
        return False
    if len(term.keys) > 1:
        return True
    surface = term.surface
    if surface.casefold() in _LONE_GENERIC:
        return False
    if _HANGUL.search(surface):
        syllables = len(_HANGUL.findall(surface))
        return syllables >= MIN_KOREAN_SYLLABLES and not surface.endswith(_ADJECTIVAL)
    marked = "-" in surface or any(ch.isdigit() or ch.isupper() for ch in surface[1:])
    return marked or (len(surface) >= MIN_LATIN_TERM and _in_korean(text, term.spans[0]))


def _fragment(term: _Term, text: str) -> bool:
    """Whether `term` is a piece of an idea rather than one (issue 83 drafted `추론 사이`,
    `plain SGD`, `squared size`): a phrase of a relation cut short of its first side or of
    both (`_RELATIONAL`), an acronym with a word that only says it is the usual one (`_PLAIN`),
    or an English phrase of a measure cut short of the `of` complement after it (`_MEASURES`)."""
    words = term.surface.split()
    start = term.spans[0][0]
    if words[0] in _RELATIONAL or (
        any(word in _RELATIONAL for word in words) and _FIRST_SIDE.search(text, 0, start)
    ):
        return True
    if len(words) == 2 and words[0].casefold() in _PLAIN and _ACRONYM.fullmatch(words[1]):
        return True
    end = term.spans[0][1]
    measured = words[-1].casefold() in _MEASURES and bool(_COMPLEMENT.match(text, end))
    return measured and not _HANGUL.search(term.surface)


def _abbreviates_asked(term: _Term, question: str) -> bool:
    """Whether `term` is an acronym of words `question` says in a row, with only spaces or hyphens
    between them and none a function word (issue 83 drafted `BN` for a question about batch
    normalization): what is asked, not an idea of the answer."""
    if not _ACRONYM.fullmatch(term.surface):
        return False
    size = len(term.surface)
    for run in _LATIN_RUN.finditer(question):
        said: list[str] = []
        for word in [*re.split(r"[\s-]+", run.group()), ""]:
            if word and word.casefold() not in _EN_GENERIC:
                said.append(word[0].upper())
                continue
            initials = "".join(said)
            if any(initials[i : i + size] == term.surface for i in range(len(said) - size + 1)):
                return True
            said = []
    return False


def _verbal(term: _Term, words: list[_Word]) -> bool:
    """Whether `term` opens with a verb's adnominal form (`_Word.verbal`)."""
    start = term.spans[0][0]
    return any(word.verbal for word in words if word.start == start)


def _in_korean(text: str, span: tuple[int, int]) -> bool:
    """Whether the sentence of `text` holding `span` is Korean (has Hangul)."""
    ends = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    start = max(end for end in ends if end <= span[0])
    stop = min(end for end in ends if end >= span[1])
    return bool(_HANGUL.search(text, start, stop))


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
    by_id = {prompt.id: prompt for prompt in prompts}
    return tuple(_drafted(prompt, drafter, by_id.get(prompt.parent or "")) for prompt in prompts)


def _drafted(prompt: Prompt, drafter: ConceptDrafter, main: Prompt | None) -> Prompt:
    """A follow-up is asked in its main question's thread: the words the main question says
    (`clustering` under "how do you choose K") are given there, as the follow-up's own are, and
    name nothing this prompt asks."""
    if prompt.kind != "graded" or prompt.concepts or not prompt.references:
        return prompt
    reference = "\n".join(r.text for r in prompt.references)
    asked = [prompt.text.ko, prompt.text.en, *((main.text.ko, main.text.en) if main else ())]
    concepts = drafter.draft(reference, "\n".join(asked))
    return prompt.model_copy(update={"concepts": concepts}) if concepts else prompt


def _concept(term: _Term, other: _Term | None, taken: set[str]) -> Concept | None:
    """The concept of `term`, labelled in each language the notes word it in, with the other
    wordings the notes give; None when its wording has no letter an id can be made of."""
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
    synonyms = tuple(dict.fromkeys(s for s in term.synonyms if s not in {korean, english}))
    return Concept(id=concept_id, ko=korean, en=english, synonyms=synonyms, drafted=True)


def _terms(text: str, words: list[_Word]) -> dict[tuple[str, ...], _Term]:
    """Every noun phrase of up to `MAX_TERM_WORDS` content words, by its word keys, in order of
    first appearance: the tail of a run of adjacent words (only spaces between; the head noun
    comes last, so `covariate shift` and `internal covariate shift` but not `internal
    covariate`), and two runs joined by `of` or 의 (`sum of absolute weights`)."""
    terms: dict[tuple[str, ...], _Term] = {}

    def add(gram: list[_Word]) -> None:
        keys = tuple(word.key for word in gram)
        if len(set(keys)) < len(keys) or len(keys) > MAX_TERM_WORDS:
            return
        span = (gram[0].start, gram[-1].end)
        surface = " ".join(text[span[0] : span[1]].split())
        terms.setdefault(keys, _Term(keys, surface, [])).spans.append(span)

    for run in _runs(text, words):
        for index, segment in enumerate(run):
            for size in range(1, min(MAX_TERM_WORDS, len(segment)) + 1):
                add(segment[-size:])
            if index + 1 < len(run):
                for size in range(1, min(2, len(segment)) + 1):
                    add(segment[-size:] + run[index + 1])
    return terms


def _runs(text: str, words: list[_Word]) -> Iterator[list[list[_Word]]]:
    """The words in runs of noun segments: a segment ends wherever anything but spaces comes
    between two words, and a run goes on across a join (`_JOINS`) after a noun."""
    run: list[list[_Word]] = []
    segment: list[_Word] = []
    for word in words:
        between = text[segment[-1].end : word.start].strip().casefold() if segment else ""
        if between:
            joined = between in _JOINS and not segment[-1].modifier
            if _nouns(segment):
                run.append(_nouns(segment))
            if not joined and run:
                yield run
                run = []
            segment = []
        segment.append(word)
    if _nouns(segment):
        run.append(_nouns(segment))
    if run:
        yield run


def _nouns(segment: list[_Word]) -> list[_Word]:
    """`segment` up to its last noun: a modifier with no noun after it modifies nothing."""
    end = len(segment)
    while end and segment[end - 1].modifier:
        end -= 1
    return segment[:end]


def _add_restated(text: str, words: list[_Word], terms: dict[tuple[str, ...], _Term]) -> None:
    """For `A, giving B` (`_CONSEQUENCE`), add A's words (from its first content word to its
    last) as a synonym of the longest term starting B: the two say one idea."""
    for match in _CONSEQUENCE.finditer(text):
        starting = [t for t in terms.values() if any(s[0] == match.end() for s in t.spans)]
        if not starting:
            continue
        term = max(starting, key=lambda t: len(t.keys))
        bounds = [*_CLAUSE_START.finditer(text, 0, match.start())]
        bounds += _SENTENCE_END.finditer(text, 0, match.start())
        opened = max((bound.end() for bound in bounds), default=0)
        clause = [w for w in words if opened <= w.start and w.end <= match.start()]
        if len(clause) >= 2:
            term.synonyms.append(" ".join(text[clause[0].start : clause[-1].end].split()))


def _other_wordings(
    text: str, terms: dict[tuple[str, ...], _Term], words: list[_Word]
) -> dict[tuple[str, ...], _Term]:
    """Terms written with another wording in brackets right after them: in the other language,
    as in `기울기 소실(vanishing gradient)`, each mapped to that wording (both ways); in the same
    language, as in `sum of absolute weights (L1 penalty)`, the bracketed one a synonym. Every
    term ending before the bracket takes the wording (`가중치 절댓값의 합(L1 penalty)`: 합,
    절댓값의 합 and 가중치 절댓값의 합), one opening with a verb's modifier only where it is
    the term nearest the bracketed one in length (`모은 이동 평균(running mean)` pairs 이동
    평균, `죽은 뉴런(dying ReLU)` 죽은 뉴런)."""
    exact = {span: term for term in terms.values() for span in term.spans}
    pairs: dict[tuple[str, ...], _Term] = {}
    for match in _PAREN.finditer(text):
        inner_text = match.group(1)
        inner = exact.get((match.start(1) + _lead(inner_text), match.end(1) - _tail(inner_text)))
        if inner is None:
            continue
        end = len(text[: match.start()].rstrip())
        before = [t for t in terms.values() if any(span[1] == end for span in t.spans)]
        if not before:
            continue
        if bool(_HANGUL.search(before[0].surface)) != bool(_HANGUL.search(inner.surface)):
            nearest = _nearest(before, len(inner.keys))
            for term in before:
                if term is nearest or not _verbal(term, words):
                    pairs.setdefault(term.keys, inner)
            pairs.setdefault(inner.keys, nearest)
            continue
        for term in before:
            if inner.surface not in term.synonyms:
                term.synonyms.append(inner.surface)
    return pairs


def _nearest(terms: list[_Term], size: int) -> _Term:
    """The term whose word count is nearest `size` (the bracketed wording's), so `심층 신경망
    기울기 소실(vanishing gradient)` pairs vanishing gradient with 기울기 소실."""
    return min(terms, key=lambda t: (abs(len(t.keys) - size), -len(t.keys)))


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def _tail(text: str) -> int:
    return len(text) - len(text.rstrip())


def _words(text: str) -> list[_Word]:
    """The content words of `text` in order: Latin words from the text itself (stemmed; verbs
    and generic words left out), Korean nouns and noun modifiers from Kiwi."""
    words = _latin_words(text)
    if _HANGUL.search(text):
        spans = [(match.start(), match.end()) for match in _LATIN.finditer(text)]
        words.extend(_korean_words(text, spans))
        words.sort(key=lambda word: word.start)
    return words


def _latin_words(text: str) -> list[_Word]:
    """The English content words of `text`, leaving out the words a noun phrase does not hold:
    generic ones, adverbs, verbs (known ones, a word right before a determiner that no
    determiner opens a phrase for: `adds the`, `pushes many`; and an -ing or -ed word after a
    comma: `, giving sparse models`)."""
    tokens = list(_LATIN.finditer(text))
    words: list[_Word] = []
    for index, match in enumerate(tokens):
        word = match.group().casefold()
        parts = word.split("-")
        if word in _EN_GENERIC or word in _EN_VERBS or word.endswith("ly"):
            continue
        if all(len(part) < 2 or part in _EN_GENERIC for part in parts):
            continue
        if _before_determiner(text, tokens, index) and not _after_determiner(text, tokens, index):
            continue
        if word.endswith(("ing", "ed")) and text[: match.start()].rstrip().endswith(","):
            continue
        words.append(_Word(match.start(), match.end(), "-".join(map(stem_en, parts))))
    return words


def _before_determiner(text: str, tokens: list[re.Match[str]], index: int) -> bool:
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    return (
        after is not None
        and _adjacent(text, tokens[index], after)
        and after.group().casefold() in _DETERMINERS
    )


def _after_determiner(text: str, tokens: list[re.Match[str]], index: int) -> bool:
    """Whether the word at `index` ends a noun phrase a determiner opens (`the poison messages`
    in `the poison messages a consumer failed`): a noun, even right before another determiner."""
    while index > 0 and _adjacent(text, tokens[index - 1], tokens[index]):
        index -= 1
        word = tokens[index].group().casefold()
        if word in _DETERMINERS:
            return True
        if word in _EN_GENERIC or word in _EN_VERBS:
            return False
    return False


def _adjacent(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    return not text[first.end() : second.start()].strip()


def _korean_words(text: str, latin: list[tuple[int, int]]) -> list[_Word]:
    """Kiwi's nouns (with a prefix or noun suffix joined on, a plural 들 left off, a noun made a
    modifier by 한 or 인 marked as one, and one syllable long only after 의: 절댓값의 합),
    leaving Latin words to the text."""
    words: list[_Word] = []
    prefix: tuple[int, str] | None = None
    tokens = _tokens(text)
    for index, (form, tag, start, end) in enumerate(tokens):
        if any(start < stop and begin < end for begin, stop in latin):
            prefix = None
            continue
        if tag == _PREFIX:
            prefix = (start, form)
            continue
        follows = bool(words) and words[-1].end == start
        ending = tokens[index + 1] if index + 1 < len(tokens) else None
        if tag in _MODIFIER_LINKS and follows and ending is not None and ending[1] == "ETM":
            last = words.pop()
            words.append(_Word(last.start, ending[3], last.key, modifier=True))
        elif tag in _MODIFIER_STEMS and ending is not None and ending[1] == "ETM":
            if form not in _GENERIC_STEMS and not (tag == "VV" and ending[0] == _ONGOING):
                words.append(_Word(start, ending[3], form, modifier=True, verbal=tag == "VV"))
        elif tag in _VERB_SUFFIXES and follows:
            words.pop()
        elif tag == _SUFFIX and follows and form != _PLURAL:
            last = words.pop()
            words.append(_Word(last.start, end, last.key + form))
        elif tag in _TERM_TAGS and form not in _KO_GENERIC:
            headed = index > 0 and tokens[index - 1][1] == _GENITIVE
            if prefix is not None:
                words.append(_Word(prefix[0], end, prefix[1] + form))
            elif len(form) > 1 or tag == "SH" or headed:
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
