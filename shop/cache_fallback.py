"""The shared cache, or this process's own while the shared one is unreachable.

Attempt counters (``shop.throttle``) and spent portal tokens live in the shared
cache (Redis with ``REDIS_URL``) so that every API process sees them. An outage
of Redis must not turn sign-in into an error: while it is away they are kept in
this process only, which still limits attempts and replays per process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

_local = LocMemCache("shared-cache-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def on_shared_cache(operation: Callable[[BaseCache], T]) -> T:
    """``operation`` run against the shared cache, or again against this process's
    own when the shared one cannot be reached. ``operation`` must therefore be
    whole: every cache call it makes goes to the cache it is given."""
    try:
        return operation(cache)
    except RedisError:
        logger.warning("Shared cache unreachable: kept in this process only.", exc_info=True)
        return operation(_local)


def clear_fallback() -> None:
    """Forget what was kept in this process during an outage (tests)."""
    _local.clear()
