"""Small valid bank files for tests, so each test states only what it breaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def graded(prompt_id: str, question: str | None = None, **fields: Any) -> dict[str, Any]:
    """A complete graded prompt; `fields` override or add keys (e.g. parent, order, demos)."""
    text = question or f"Question {prompt_id}?"
    prompt: dict[str, Any] = {
        "id": prompt_id,
        "text": {"ko": f"{text} (ko)", "en": text},
        "topics": ["fundamentals"],
        "references": [
            {"lang": "ko", "text": "한국어 모범 답안입니다."},
            {"lang": "en", "text": "An English model answer."},
        ],
        "concepts": [
            {"id": "first", "ko": "첫째", "en": "first"},
            {"id": "second", "ko": "둘째", "en": "second"},
        ],
        "misconceptions": [
            {"lang": "en", "text": "A plausible wrong answer."},
            {"lang": "ko", "text": "그럴듯한 틀린 답입니다."},
        ],
    }
    prompt.update(fields)
    return prompt


def write_bank(
    path: Path, *prompts: dict[str, Any], bank: str = "team", rules: str | None = None
) -> Path:
    """A bank file; `rules` is written only when given (team rules are the default)."""
    data: dict[str, Any] = {"bank": bank, "prompts": list(prompts)}
    if rules is not None:
        data["rules"] = rules
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def complete_main(prompt_id: str, question: str | None = None) -> list[dict[str, Any]]:
    """A main question a shipped bank accepts (`rules: seed`): three key concepts and two
    follow-ups."""
    concepts = [{"id": f"c{i}", "ko": f"개념{i}", "en": f"concept {i}"} for i in range(3)]
    followups = [
        graded(f"{prompt_id}.{i}", f"Follow-up {i} of {prompt_id}?", parent=prompt_id, order=i)
        for i in (1, 2)
    ]
    return [graded(prompt_id, question, concepts=concepts), *followups]
