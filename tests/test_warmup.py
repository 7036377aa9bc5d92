"""Start-up warming and the garbage collection between requests (shop.warmup), and
the gunicorn hook that runs it."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from gunicorn.app.base import Application
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from shop.api.persisted import DOCUMENTS
from shop.api.security import CACHE_SIZE
from shop.warmup import GEN0_THRESHOLD, collect_after_response, warm_documents, warm_up
from tests.operations import operation

GUNICORN_CONF = settings.BASE_DIR / "shop" / "gunicorn.conf.py"


@pytest.fixture
def empty_document_caches() -> tuple[Any, Any]:
    """The schema's parser and validation caches, emptied (requests refill them)."""
    parse, validate = _get_parse_cache(CACHE_SIZE), _get_validate_cache(CACHE_SIZE)
    parse.cache_clear()
    validate.cache_clear()
    return parse, validate


@pytest.fixture
def collected_generations() -> Iterator[list[int]]:
    """The generation of every collection made while the test runs, after a full one."""
    generations: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.collect()
    gc.callbacks.append(record)
    try:
        yield generations
    finally:
        gc.callbacks.remove(record)


def test_warming_parses_and_validates_every_storefront_document_without_the_database(
    empty_document_caches,
):
    parse, validate = empty_document_caches

    warm_documents()

    assert parse.cache_info().currsize == len(DOCUMENTS) > 50
    assert validate.cache_info().currsize == len(DOCUMENTS)
    assert validate.cache_info().hits == 0


@pytest.mark.django_db
def test_after_warming_a_storefront_request_is_a_hit_in_both_caches(empty_document_caches, gql):
    parse, validate = empty_document_caches
    warm_documents()
    parsed, validated = parse.cache_info(), validate.cache_info()

    body = gql(operation("storefront/ProductList"), {"first": 10})

    assert body == {
        "data": {
            "products": {
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [],
            }
        }
    }
    assert (parse.cache_info().misses, parse.cache_info().hits) == (
        parsed.misses,
        parsed.hits + 1,
    )
    assert (validate.cache_info().misses, validate.cache_info().hits) == (
        validated.misses,
        validated.hits + 1,
    )


def test_warm_up_freezes_the_start_up_objects_and_raises_the_young_threshold():
    threshold = gc.get_threshold()
    try:
        warm_up()

        assert gc.get_freeze_count() > 100_000
        assert gc.get_threshold() == (GEN0_THRESHOLD, threshold[1], threshold[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_after_a_response_the_young_generation_is_collected_and_the_older_ones_by_their_counters(
    collected_generations,
):
    _gen0, threshold1, threshold2 = gc.get_threshold()
    calls = (threshold1 + 2) * (threshold2 + 1) + 1

    for _ in range(calls):
        collect_after_response()

    assert collected_generations[: threshold1 + 2] == [0] * (threshold1 + 1) + [1]
    assert collected_generations.count(1) == threshold2 + 1
    assert collected_generations[-1] == 2
    assert collected_generations.count(2) == 1
    assert len(collected_generations) == calls


class GunicornConfig(Application):
    """``shop/gunicorn.conf.py`` read by gunicorn's own loader (validation included)."""

    def load_config(self) -> None:
        try:
            self.load_config_from_file(str(GUNICORN_CONF))
        finally:
            sys.modules.pop("__config__", None)

    def load(self) -> None:
        raise AssertionError("the test never runs the application")


def test_gunicorn_collects_the_young_generation_after_each_request(collected_generations):
    config = GunicornConfig().cfg

    config.post_request(object(), object(), {}, object())

    assert collected_generations == [0]
