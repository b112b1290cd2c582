"""Every sentence the grader says to a member, in Korean and English, gathered in one place:
what the guardrails noticed, the team grade an answer is near, and what a full answer adds; and
the rules (`told_of`) that keep the concepts listed, the misconception named and the suggestion
in agreement with the score."""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.schema import Lang, Prompt
from evaluators.grade import Flag, Verdict
from evaluators.reading.concepts import AnswerText, ConceptMatch, concept_present
from evaluators.taught import Nudge

_FLAG = {
    Flag.EMPTY: {
        "ko": "빈 답이에요. 한두 문장이라도 써 보세요.",
        "en": "The answer is empty. Try a sentence or two.",
    },
    Flag.DONT_KNOW: {
        "ko": "괜찮아요! 정답을 보고 한 문장으로 다시 설명해 보면 기억에 오래 남아요.",
        "en": "That's fine! Read the model answer, then explain it back in one sentence.",
    },
    Flag.NOISE: {
        "ko": "알아볼 수 있는 답이 아니에요. 문장으로 설명해 주세요.",
        "en": "That doesn't read as an answer. Please explain in words.",
    },
    Flag.ONE_WORD: {
        "ko": "용어만으로는 설명이 되지 않아요. 이 질문은 이것을 묻고 있어요: {question} 한두 "
        "문장으로 풀어 보세요.",
        "en": "A term on its own isn't an explanation. The question asks: {question} Say what "
        "and why in a sentence or two.",
    },
    Flag.COPY_OF_QUESTION: {
        "ko": "질문을 그대로 옮긴 답이에요. 자기 말로 설명해 보세요.",
        "en": "That repeats the question. Answer it in your own words.",
    },
    Flag.COPY_OF_REFERENCE: {
        "ko": "공개된 모범 답안을 옮긴 답은 점수에 들어가지 않아요. 자기 말로 요약해 보세요.",
        "en": "A copy of the revealed model answer doesn't score. Summarise it in your own words.",
    },
    Flag.TRUNCATED: {
        "ko": "답이 너무 길어 앞부분 {limit}자만 채점했어요.",
        "en": "The answer was long; only the first {limit} characters were graded.",
    },
    Flag.CAPPED: {
        "ko": "힌트를 봐서 최대 {cap}점까지 받을 수 있어요.",
        "en": "A hint was used, so the score is capped at {cap}.",
    },
    Flag.MISCONCEPTION: {
        "ko": "흔한 오해에 가까운 답이에요: “{misconception}”",
        "en": "This is close to a common misconception: “{misconception}”",
    },
    Flag.OFF_TOPIC: {
        "ko": "다른 질문에 대한 답에 가까워요. 이 질문이 묻는 것을 다시 읽어 보세요.",
        "en": "This reads as an answer to a different question. Re-read what this one asks.",
    },
    Flag.SIBLING: {
        "ko": "이 답은 이어지는 다른 질문에 대한 답이에요: “{sibling}” 이 질문이 묻는 것을 다시 "
        "읽어 보세요.",
        "en": "This answers a related question of the same thread: “{sibling}” Re-read what "
        "this one asks.",
    },
    Flag.NO_EVIDENCE: {
        "ko": "질문에 답하는 내용을 찾지 못했어요. 이 질문은 이것을 묻고 있어요: {question}",
        "en": "Nothing here answers the question. It asks: {question}",
    },
}

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")

MISCONCEPTION_NOTE_BELOW = 70
"""The score under which an answer that echoes a misconception is told so."""

_CREDITED = frozenset({Verdict.CORRECT, Verdict.MOSTLY_CORRECT, Verdict.PARTIAL})
_PRAISED = frozenset({Verdict.CORRECT, Verdict.MOSTLY_CORRECT})
_UNCREDITED = frozenset({Flag.OFF_TOPIC, Flag.SIBLING, Flag.NO_EVIDENCE, Flag.ONE_WORD})
"""Caps under which no concept is listed as covered."""


@dataclass(frozen=True)
class Told:
    """What a member is told beside the score: the key concepts listed as covered, each with
    the passage of the answer that names it, those listed as missed, and the misconception the
    answer is said to be close to (None: no such note)."""

    covered: tuple[ConceptMatch, ...] = ()
    missed: tuple[str, ...] = ()
    misconception: str | None = None

    @property
    def covered_ids(self) -> tuple[str, ...]:
        return tuple(m.concept for m in self.covered)


NOTHING_TOLD = Told()


def told_of(
    prompt: Prompt,
    *,
    score: int,
    verdict: Verdict,
    flags: tuple[Flag, ...],
    matches: tuple[ConceptMatch, ...],
    echoed: int | None,
) -> Told:
    """What feedback may say of a graded answer, by rules that keep it in agreement with the
    score (a member reads the score first, and a note that contradicts it teaches the wrong
    thing or makes the grade look arbitrary):

    - A concept is listed as covered only with its evidence, a passage of the answer that names
      it; a match that cannot point at one is not shown (it still counts for the score).
    - An answer graded `incorrect`, or capped as an answer to another question, lists no concept
      as covered: naming a term in a wrong or off-topic answer is not an achievement.
    - Every key concept not listed as covered is listed as missed.
    - The misconception note is given only below `MISCONCEPTION_NOTE_BELOW`, and names the
      misconception the answer echoes: a well-graded answer is not told it is close to one.
    - `compose` never praises full coverage below `mostly_correct`, and its suggested addition
      never names a concept listed as covered.

    `matches` are the concepts the answer names (`concepts.concept_matches`), `echoed` the index
    of the misconception whose words it shares most."""
    credited = verdict in _CREDITED and not _UNCREDITED & set(flags)
    covered = tuple(m for m in matches if m.passage) if credited else ()
    listed = {m.concept for m in covered}
    misconception = None
    if Flag.MISCONCEPTION in flags and score < MISCONCEPTION_NOTE_BELOW and echoed is not None:
        misconception = prompt.misconceptions[echoed].text
    return Told(
        covered=covered,
        missed=tuple(c.id for c in prompt.concepts if c.id not in listed),
        misconception=misconception,
    )


def flag_message(
    flag: Flag,
    lang: Lang,
    *,
    cap: int = 0,
    limit: int = 0,
    misconception: str = "",
    question: str = "",
    sibling: str = "",
) -> str:
    return _FLAG[flag][lang].format(
        cap=cap, limit=limit, misconception=misconception, question=question, sibling=sibling
    )


def team_note(team: Nudge, lang: Lang) -> str:
    """Why the team's grades moved the score: the grade of the team-graded answer nearest this
    one, so a member reads that the grade follows their team's, not the model's whim."""
    score = team.nearest.score
    return (
        f"팀이 {score}점으로 채점한 답과 가까운 답이에요."
        if lang == "ko"
        else f"Near an answer your team graded {score}."
    )


def _best_sentence(prompt: Prompt, told: Told, lang: Lang) -> str:
    """The reference sentence (in `lang` when there is one) naming the most missed concepts and
    none listed as covered."""
    references = prompt.references_in(lang) or prompt.references
    best, best_hits = "", 0
    for reference in references:
        for raw in _SENTENCE_END.split(reference.text):
            sentence = raw.strip()
            if not sentence:
                continue
            text = AnswerText.of(sentence)
            if any(concept_present(prompt.concept(c), text) for c in told.covered_ids):
                continue
            hits = sum(concept_present(prompt.concept(cid), text) for cid in told.missed)
            if hits > best_hits:
                best, best_hits = sentence, hits
    return best


def _model_answer(prompt: Prompt, lang: Lang) -> str:
    if not prompt.references:
        return ""
    reference = (prompt.references_in(lang) or prompt.references)[0]
    return f"모범 답안: {reference.text}" if lang == "ko" else f"Model answer: {reference.text}"


def full_answer_note(prompt: Prompt, told: Told, verdict: Verdict, lang: Lang) -> str:
    """One sentence on what a full answer adds, built from the missed concepts and the reference;
    the model answer where there are no concepts, or where every concept is named in an answer
    graded below `mostly_correct`."""
    if not prompt.concepts:
        return "" if verdict is Verdict.CORRECT else _model_answer(prompt, lang)
    if not told.missed:
        if verdict in _PRAISED:
            return (
                "핵심 개념을 모두 다뤘어요." if lang == "ko" else "You covered every key concept."
            )
        lead = (
            "핵심 개념은 모두 나왔지만 설명이 모범 답안에 못 미쳐요."
            if lang == "ko"
            else "Every key concept is named, but the explanation falls short."
        )
        return f"{lead} {_model_answer(prompt, lang)}".strip()
    sentence = _best_sentence(prompt, told, lang)
    if sentence:
        return (
            f"완전한 답은 이렇게 덧붙여요: {sentence}"
            if lang == "ko"
            else (f"A full answer adds: {sentence}")
        )
    names = ", ".join(prompt.concept(cid).label(lang) for cid in told.missed)
    return (
        f"완전한 답은 {names}까지 설명해요."
        if lang == "ko"
        else (f"A full answer also explains {names}.")
    )


def compose(
    prompt: Prompt,
    *,
    verdict: Verdict,
    told: Told,
    flags: tuple[Flag, ...],
    lang: Lang,
    cap: int | None,
    limit: int,
    team: Nudge | None = None,
    sibling: Prompt | None = None,
) -> str:
    """The prose beside a grade: the team's graded answer that moved the score (`team`, given
    only when it did), what the guardrails noticed (with the question of the `sibling` an answer
    was capped as answering), and what a full answer adds, as `told`
    allows. Score, verdict and concept names are fields of the Grade, which the chat renders
    itself."""
    parts = [] if team is None else [team_note(team, lang)]
    related = "" if sibling is None else (sibling.text.ko if lang == "ko" else sibling.text.en)
    parts += [
        flag_message(
            f,
            lang,
            cap=cap or 0,
            limit=limit,
            misconception=told.misconception or "",
            question=prompt.text.ko if lang == "ko" else prompt.text.en,
            sibling=related,
        )
        for f in flags
        if f is not Flag.MISCONCEPTION or told.misconception is not None
        # A term alone is told the question already; the gate's note would repeat it.
        if f is not Flag.NO_EVIDENCE or Flag.ONE_WORD not in flags
    ]
    graded = verdict not in {Verdict.NO_ANSWER, Verdict.ACKNOWLEDGED}
    if graded and (verdict is not Verdict.CORRECT or told.missed):
        note = full_answer_note(prompt, told, verdict, lang)
        if note:
            parts.append(note)
    return " ".join(parts)
