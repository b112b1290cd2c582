"""Which main question a channel gets next: no repeats until the bank is exhausted, and among the
unseen ones, the topics where the channel has scored lowest first."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping

from content.bank import UNFILED_SUBJECT, Bank
from content.schema import Prompt

UNSCORED_TOPIC_MEAN = 50.0


def topic_means(bank: Bank, scores: Iterable[tuple[str, int]]) -> dict[str, float]:
    """Mean score per topic from (prompt id, score) pairs; prompts no longer in the bank are
    ignored."""
    sums: dict[str, list[int]] = defaultdict(list)
    for prompt_id, score in scores:
        if prompt_id in bank:
            for topic in bank.get(prompt_id).topics:
                sums[topic].append(score)
    return {topic: sum(values) / len(values) for topic, values in sums.items()}


def weakness(prompt: Prompt, means: Mapping[str, float]) -> float:
    """How weak a prompt's subject is: the lowest mean among its topics (unscored: neutral)."""
    return min(means.get(topic, UNSCORED_TOPIC_MEAN) for topic in prompt.topics)


def choose_prompt(
    bank: Bank,
    posted: Iterable[str],
    means: Mapping[str, float],
    *,
    due: Mapping[str, int] | None = None,
    subjects: Collection[str] = (),
) -> Prompt:
    """The next main question of the subjects the channel draws from (`subjects`, none: all):
    least-posted first (so every question comes once per cycle), then (with `due`, prompt id ->
    members whose practice card for it is due) the one due for the most members, then the
    weakest topic, then bank order: the seed bank's first, so a new channel starts with the
    deep-learning basics, and the subjects come in as the channel's scores make their unscored
    topics the weaker. `bank`: as the channel sees it."""
    mains = bank.drawn_mains(subjects)
    counts = Counter(p for p in posted if p in bank)
    fewest = min(counts.get(p.id, 0) for p in mains)
    pool = [p for p in mains if counts.get(p.id, 0) == fewest]
    wanted = due or {}
    return min(
        pool,
        key=lambda p: (
            -wanted.get(p.id, 0),
            weakness(p, means),
            bank.subject(p) != UNFILED_SUBJECT,
            p.id,
        ),
    )
