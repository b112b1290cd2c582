"""Posts that are no attempt at any question, each named as what it is: a greeting ("hi all",
"안녕하세요!"), a link on its own, lorem ipsum, code with no word of explanation. They score 0
and are told, in one line, what they are and what the question asks; a greeting is not told "a
term on its own isn't an explanation", nor a link "nothing here answers the question" as if it
were a wrong answer.

Only code and nothing else is screened: a formula or a line of code inside a sentence can
answer a question (`notation`); prose with a snippet that says nothing the question asks is shut
out by the evidence gate, which names it as code (`evidence_gate`)."""

from __future__ import annotations

import re

from content.schema import Lang, Localized, Prompt
from evaluators.grade import Flag
from evaluators.reading.morphology import normalize
from evaluators.rules.rule import Fired, Screen
from evaluators.texts import GRADER

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_LOREM = re.compile(r"\blorem\s+ipsum\b|로렘\s*입숨", re.IGNORECASE)
_GREETINGS_EN = (
    "hi",
    "hello",
    "hey",
    "yo",
    "hiya",
    "howdy",
    "greetings",
    "good morning",
    "good afternoon",
    "good evening",
    "morning",
    "thanks",
    "thank you",
)
_GREETED = (
    "",
    "all",
    "everyone",
    "everybody",
    "team",
    "folks",
    "guys",
    "there",
    "y'all",
    "all of you",
)
_GREETINGS_EN_WHOM = frozenset(
    f"{greeting} {whom}".strip() for greeting in _GREETINGS_EN for whom in _GREETED
)
"""Every English greeting alone or to whom it greets ("hi", "hello everyone"), made once: a
post's sentences are tried a prefix at a time."""
_GREETINGS_KO = (
    "안녕",
    "안녕하세요",
    "안녕하십니까",
    "안뇽",
    "하이",
    "ㅎㅇ",
    "반가워요",
    "반갑습니다",
    "좋은아침",
    "좋은아침이에요",
    "좋은아침입니다",
    "감사합니다",
    "고마워요",
    "여러분안녕하세요",
    "모두안녕하세요",
)
_NOT_WORDS = re.compile(r"[^\w\s']+|_")
"""Punctuation, emoji and other symbols, which a greeting may carry around its words."""
_MENTION = re.compile(r"<[@#!][^>]*>|@\w+")
_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_CODE_LINE = re.compile(
    r"^\s*(?:(?:def|class)\s+\w+.*[:(].*|import\s+\w.*|from\s+[\w.]+\s+import\s.*|return\b.*"
    r"|(?:for|while|if|elif|with|except)\b.*:\s*|(?:else|try|finally):\s*|print\(.*"
    r"|(?:const|let|var)\s+\w+\s*=.*|function\s*\w*\s*\(.*|.*[;{}]\s*"
    r"|[\w.\[\]]+\s*[-+*/]?=\s*\S.*|[\w.]+\(.*\)\s*|#.*)$"
)
"""A line of code: a keyword opening it, a brace or semicolon ending it, an assignment, a call
on its own, a comment."""
_STATEMENT = re.compile(
    r"^\s*(?:import\s+\w|from\s+[\w.]+\s+import\s|def\s+\w+\s*\(|class\s+\w|print\()"
)
"""A statement that is code, never a formula ("import torch", "def relu(x): ...", "print(...)"):
a one-line post is code alone only with one (its statements parted by semicolons), since one
assignment or two may be an answer's formula ("v = 0.9 * v - lr * grad; w = w + v")."""


_SOCIAL = re.compile(
    r"잘\s*부탁|참여하게\s*됐|참여하게\s*되었|처음\s*왔|반가워|반갑|같이\s*공부|열심히\s*하겠"
    r"|nice to meet|glad to (?:be here|join)|looking forward|happy to (?:be here|join)|"
    r"just joined|new here",
    re.IGNORECASE,
)
"""What a newcomer's hello says besides the greeting ("잘 부탁드려요", "glad to join")."""
_SENTENCE_END = re.compile(r"[.!?~。\n]+")


_LAUGHTER = re.compile(r"[ㅋㅎㅠㅜ]{2,}|\^\^|[:;]-?[)D(]")
"""Laughter and smileys a greeting may end with (ㅎㅎ, ㅋㅋ, ^^, :))."""


def _greeting(text: str) -> bool:
    """Whether the whole post is a greeting, sentence by sentence: each a greeting (with
    mentions, emoji, laughter and punctuation around it) or a newcomer's hello (`_SOCIAL`), the
    first a greeting, or a greeting followed by one in the same sentence ("안녕하세요 잘
    부탁드려요 ㅎㅎ")."""
    plain = _LAUGHTER.sub(" ", text)
    sentences = [s for s in _SENTENCE_END.split(plain) if _NOT_WORDS.sub("", s).strip()]
    if not sentences or not (_greeting_words(sentences[0]) or _greets_first(sentences[0])):
        return False
    return all(_greeting_words(s) or _SOCIAL.search(s) for s in sentences[1:])


def _greets_first(sentence: str) -> bool:
    """Whether `sentence` opens with a greeting and says nothing after it but a newcomer's
    hello."""
    words = sentence.split()
    return any(
        _greeting_words(" ".join(words[:cut])) and bool(_SOCIAL.search(" ".join(words[cut:])))
        for cut in range(1, len(words))
    )


def _greeting_words(text: str) -> bool:
    """Whether `text` is a greeting alone (with mentions, emoji and punctuation around it)."""
    plain = _NOT_WORDS.sub(" ", _MENTION.sub(" ", normalize(text).replace("’", "'"))).strip()
    words = " ".join(plain.split())
    if not words:
        return False
    if words.replace(" ", "") in _GREETINGS_KO:
        return True
    return words in _GREETINGS_EN_WHOM


LINK_WORDS = 3
"""Words a link may come with and still be a link alone: "see …", "여기 참고하세요 …"."""


def _link_alone(text: str) -> bool:
    """Whether the post is links and at most `LINK_WORDS` words of pointing at them ("see",
    "여기 참고하세요"), none a letter-digit mix that could be a formula."""
    rest = _NOT_WORDS.sub(" ", _LINK.sub(" ", text)).split()
    return (
        bool(_LINK.search(text))
        and len(rest) <= LINK_WORDS
        and not any(re.search(r"\d", word) for word in rest)
    )


KINDS = ("greeting", "link", "lorem", "code")


def _code_alone(text: str) -> bool:
    """Whether the post is code and nothing else: fenced blocks with no letter outside them, or
    two lines or more, or one line holding a `_STATEMENT` (its statements parted by semicolons
    read as lines), each a line of code (`_CODE_LINE`), none in Hangul."""
    if "```" in text:
        return not re.search(r"[^\W\d_]", _FENCE.sub(" ", text))
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [part for part in lines[0].split(";") if part.strip()]
        if not any(_STATEMENT.match(line) for line in lines):
            return False
    return (
        bool(lines)
        and not re.search(r"[가-힣]", text)
        and all(_CODE_LINE.match(line) for line in lines)
    )


def kind_of(text: str) -> str | None:
    """What kind of non-answer `text` is (one of `KINDS`), or None."""
    if _greeting(text):
        return "greeting"
    if _link_alone(text):
        return "link"
    if _LOREM.search(text):
        return "lorem"
    if _code_alone(text):
        return "code"
    return None


class NotAnAnswer(Screen):
    flag = Flag.NOT_AN_ANSWER
    decides = True

    def check(self, prompt: Prompt, text: str, *, revealed: bool) -> Fired | None:
        kind = kind_of(text)
        return None if kind is None else self.fired(words={"kind": kind}, reason=kind)

    @property
    def message_keys(self) -> tuple[str, ...]:
        return tuple(f"{self.message_key}_{kind}" for kind in KINDS)

    def say(self, fired: Fired, lang: Lang, *, question: Localized) -> str:
        key = f"{self.message_key}_{fired.words['kind']}"
        return GRADER.text(lang, key, question=question.get(lang))


RULE = NotAnAnswer()
