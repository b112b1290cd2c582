"""Result cache: bounded, expiring, keyed by everything that changes a result."""

from __future__ import annotations

from compute.catalog import DemoResult
from compute.demos.relu_approx import DEMO
from compute.params import parse_params
from compute.result_cache import ResultCache, cache_key

RESULT = DemoResult(images=[b"png"], metrics={"mse": 0.1}, summary_ko="", summary_en="")


def test_key_covers_params_and_seed_and_ignores_how_values_were_typed() -> None:
    typed = cache_key(DEMO, parse_params(DEMO, {"k": 8}))
    assert typed == cache_key(DEMO, parse_params(DEMO, {"k": "8", "seed": "0"}))
    assert typed != cache_key(DEMO, parse_params(DEMO, {"k": 8, "seed": 1}))
    assert typed != cache_key(DEMO, parse_params(DEMO, {"k": 9}))


def test_entries_expire_and_the_least_recently_used_goes_first() -> None:
    now = [0.0]
    cache = ResultCache(max_entries=2, ttl_s=10.0, clock=lambda: now[0])
    cache.put("a", RESULT)
    cache.put("b", RESULT)
    assert cache.get("a") is RESULT
    cache.put("c", RESULT)
    assert cache.get("b") is None and cache.get("a") is RESULT and len(cache) == 2
    now[0] = 10.5
    assert cache.get("a") is None and cache.get("c") is None
