"""Every sentence the grader says to a member, in Korean and English, gathered in one place:
what the guardrails noticed and what a full answer adds."""

from __future__ import annotations

import re

from content.schema import Lang, Prompt
from evaluators.concepts import AnswerText, concept_present
from evaluators.grade import Flag, Verdict

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
        "ko": "한 단어로는 설명이 부족해요. 왜 그런지 한두 문장으로 풀어 보세요.",
        "en": "One word isn't an explanation. Say why in a sentence or two.",
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
        "ko": "흔한 오해에 가까운 답이에요.",
        "en": "This is close to a common misconception.",
    },
    Flag.OFF_TOPIC: {
        "ko": "다른 질문에 대한 답에 가까워요. 이 질문이 묻는 것을 다시 읽어 보세요.",
        "en": "This reads as an answer to a different question. Re-read what this one asks.",
    },
}

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


def flag_message(flag: Flag, lang: Lang, *, cap: int = 0, limit: int = 0) -> str:
    return _FLAG[flag][lang].format(cap=cap, limit=limit)


def _best_sentence(prompt: Prompt, missed: tuple[str, ...], lang: Lang) -> str:
    """The reference sentence (in `lang` when there is one) naming the most missed concepts."""
    references = prompt.references_in(lang) or prompt.references
    best, best_hits = "", 0
    for reference in references:
        for raw in _SENTENCE_END.split(reference.text):
            sentence = raw.strip()
            if not sentence:
                continue
            text = AnswerText.of(sentence)
            hits = sum(concept_present(prompt.concept(cid), text) for cid in missed)
            if hits > best_hits:
                best, best_hits = sentence, hits
    return best


def full_answer_note(prompt: Prompt, missed: tuple[str, ...], lang: Lang) -> str:
    """One sentence on what a full answer adds, built from the missed concepts and the reference."""
    if not missed:
        if not prompt.concepts:
            return ""
        return "핵심 개념을 모두 다뤘어요." if lang == "ko" else "You covered every key concept."
    sentence = _best_sentence(prompt, missed, lang)
    if sentence:
        return (
            f"완전한 답은 이렇게 덧붙여요: {sentence}"
            if lang == "ko"
            else (f"A full answer adds: {sentence}")
        )
    names = ", ".join(prompt.concept(cid).label(lang) for cid in missed)
    return (
        f"완전한 답은 {names}까지 설명해요."
        if lang == "ko"
        else (f"A full answer also explains {names}.")
    )


def compose(
    prompt: Prompt,
    *,
    verdict: Verdict,
    missed: tuple[str, ...],
    flags: tuple[Flag, ...],
    lang: Lang,
    cap: int | None,
    limit: int,
) -> str:
    """The prose beside a grade: what the guardrails noticed, and what a full answer adds.
    Score, verdict and concept names are fields of the Grade, which the chat renders itself."""
    parts = [flag_message(f, lang, cap=cap or 0, limit=limit) for f in flags]
    graded = verdict not in {Verdict.NO_ANSWER, Verdict.ACKNOWLEDGED}
    if graded and (verdict is not Verdict.CORRECT or missed):
        note = full_answer_note(prompt, missed, lang)
        if not prompt.concepts and verdict is not Verdict.CORRECT and prompt.references:
            reference = (prompt.references_in(lang) or prompt.references)[0]
            label = "모범 답안" if lang == "ko" else "Model answer"
            note = f"{label}: {reference.text}"
        if note:
            parts.append(note)
    return " ".join(parts)
