"""Content words: Korean through Kiwi, Latin words and numbers read from the text itself."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from content.language_tools import stem_en
from evaluators.reading import morphology
from evaluators.reading.concepts import UNREAD_AFFINITY, AnswerText, form_matches
from evaluators.reading.morphology import best_similarities, content_words, morpheme_ids


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        # Kiwi cut each of these words in two inside a longer English sentence ("sign" +
        # "ature"); read from the text, each is whole, as its Snowball stem.
        ("The compiler differentiates overloaded functions by their signature.", "signatur"),
        (
            "They are initialized with a dot between the constructor and the object being created.",
            "creat",
        ),
        ("n-1 The best case is when the array is already sorted.", "sort"),
        ("σ'(x) ≤ 0.25 → 층마다 곱해지면 gradient vanishing.", "vanish"),
    ],
)
def test_english_words_stay_whole(text: str, whole: str) -> None:
    words = content_words(text)
    assert whole in words, words


def test_mixed_korean_and_english_keep_their_order() -> None:
    words = content_words("ReLU를 사용하면 vanishing gradient 문제가 줄어든다")
    assert words == ("relu", "사용", "vanish", "gradient", "문제", "줄어들")


def test_numbers_keep_their_separators() -> None:
    assert content_words("render all 11,172 Hangul syllables at 0.5 scale") == (
        "render",
        "11,172",
        "hangul",
        "syllabl",
        "0.5",
        "scale",
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("dynamically", "dynamic"),
        ("initialized", "initialization"),
        ("regularizes", "regularization"),
        ("contexts", "context"),
        ("vanishing", "vanishes"),
    ],
)
def test_forms_of_one_english_word_share_a_stem(one: str, other: str) -> None:
    assert content_words(one) == content_words(other) != ()


def test_a_concept_named_in_other_words_of_the_same_stems_is_matched() -> None:
    # The hand-cut suffixes left "dynamically" as "dynamical": this answer named no concept.
    answer = AnswerText.of("PyTorch builds the graph dynamically as the code runs.")
    assert form_matches("dynamic graph", answer)
    assert not form_matches("static graph", answer)


def test_stemming_from_many_threads_gives_what_one_thread_does() -> None:
    # A Snowball stemmer keeps the word it works on in itself: shared by the grader's worker
    # threads, it raised IndexError and returned other words' stems. The cache is bypassed so
    # every call stems.
    words = [
        f"{root}{middle}{end}"
        for root, middle, end in itertools.product(
            ("normal", "general", "initial", "dynamic", "regular", "activ"),
            ("iz", "is", "at", ""),
            ("ation", "ed", "ing", "ly", "s", "ations", "ness"),
        )
    ]
    alone = [stem_en.__wrapped__(word) for word in words]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda _: [stem_en.__wrapped__(w) for w in words], range(40)))
    assert all(result == alone for result in together)


def _printed_by(script: str) -> list[str]:
    """What a fresh interpreter prints running `script`: whether Kiwi got loaded can only be seen
    in a process that has not loaded it yet."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()


def test_kiwi_is_loaded_only_for_hangul_or_hanja() -> None:
    """An English-only text never loads Kiwi's Korean model (about 240 MB); the first Korean
    text does."""
    script = (
        "import sys\n"
        "from evaluators.reading.morphology import content_words\n"
        "content_words('Vanishing gradients: sigmoid saturates, so deep layers learn slowly.')\n"
        "print('kiwipiepy' in sys.modules)\n"
        "content_words('기울기 소실')\n"
        "print('kiwipiepy' in sys.modules)\n"
    )
    assert _printed_by(script) == ["False", "True"]


def test_kiwi_hands_freed_memory_back_unless_told_otherwise() -> None:
    """Kiwi's mimalloc purges freed pages at once (`MIMALLOC_PURGE_DELAY=0`, set before Kiwi
    loads): after its first text it holds tens of MB less than with a purge delay the
    environment asks for, which is kept."""
    script = (
        "import os, re\n"
        "from evaluators.reading.morphology import content_words\n"
        "content_words('배치 정규화는 미니배치의 평균과 분산으로 활성값을 정규화합니다.')\n"
        "status = open('/proc/self/status').read()\n"
        "anon = int(re.search(r'RssAnon:\\s+(\\d+)', status).group(1)) // 1024\n"
        "print(os.environ.get('MIMALLOC_PURGE_DELAY', 'unset'), anon)\n"
    )

    def run(**env: str) -> tuple[str, int]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**base, **env},
        )
        delay, anon_mb = done.stdout.split()
        return delay, int(anon_mb)

    ours, told = run(), run(MIMALLOC_PURGE_DELAY="1000")
    assert ours[0] == "0" and told[0] == "1000"
    assert told[1] - ours[1] >= 15, (ours, told)


def test_best_similarities_read_kiwis_morpheme_embeddings() -> None:
    """A shared morpheme counts 1; a near one (합성 ~ 결합) more than an unrelated one; every
    value lies in 0-1."""
    forms = morpheme_ids("합성")
    assert best_similarities(forms, morpheme_ids("합성")) == [1.0]
    (near,) = best_similarities(forms, morpheme_ids("결합"))
    (far,) = best_similarities(forms, morpheme_ids("점심"))
    assert 0.0 <= far < near < 1.0


def test_an_english_answer_has_no_morphemes_and_loads_no_kiwi() -> None:
    script = (
        "import sys\n"
        "from evaluators.reading.concepts import AnswerText, concept_affinity\n"
        "from content.schema import Concept\n"
        "c = Concept(id='c', ko='기울기 소실', en='vanishing gradient')\n"
        "print(concept_affinity(c, AnswerText.of('Gradients vanish in deep sigmoid nets.')))\n"
        "print('kiwipiepy' in sys.modules)\n"
    )
    assert _printed_by(script) == [str(UNREAD_AFFINITY), "False"]


def test_words_kiwi_does_not_know_are_not_alike() -> None:
    """Kiwi gives every word it does not know one shared "unknown noun" id: two such words must
    not read as the same morpheme."""
    assert morpheme_ids("텐서플로우") == frozenset()
    assert best_similarities(morpheme_ids("텐서플로우 합성"), morpheme_ids("파이토치")) == [0.0]
    assert content_words("텐서플로우") == ("텐서플로우",)


def test_analyses_kept_are_bounded_however_many_answers_are_read() -> None:
    """Every answer is analysed and kept for the next reads of it; past the bound, the oldest go,
    so a process grading answers for months holds at most the bound (issue 50)."""
    for i in range(morphology.ANALYSED_CACHE_SIZE + 500):
        AnswerText.of(f"Answer {i}: ReLU keeps gradients alive where sigmoid saturates.")
    kept = morphology._analysed.cache_info().currsize
    assert kept == morphology.ANALYSED_CACHE_SIZE


def test_a_banks_texts_are_read_once_however_many_answers_pass() -> None:
    """A concept's form read for one answer is not read by Kiwi again after a burst of answers:
    the bank's texts are kept apart from the answers', which the burst turns over."""
    form = "기울기 소실이 일어난다"
    assert morphology.bank_words(form) == content_words(form)
    for i in range(morphology.ANALYSED_CACHE_SIZE + 10):
        AnswerText.of(f"답 {i}: 시그모이드는 포화되어 기울기가 사라진다.")
    before = morphology._bank_analysed.cache_info().misses
    assert morphology.bank_words(form) == ("기울기", "소실", "일어나")
    assert morphology.bank_morpheme_ids(form)
    assert morphology._bank_analysed.cache_info().misses == before
