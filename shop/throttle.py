"""Attempt limits: at most N failed attempts per subject (an account, an IP, a
contract) in a window, counted in the shared cache (Redis in production, one for
every API process; this process's own while Redis is unreachable, so an outage
never refuses sign-in: ``shop.cache_fallback``).

An attempt is counted *before* it is evaluated: :func:`attempt` increments each
of its counters atomically (``cache.add`` then ``cache.incr``) and refuses it
when one is past its limit, so attempts still in flight count as failures and N
parallel requests cannot all pass a check that none of them has yet recorded
(read-check-then-write would let them). An attempt that did not fail gives its
place back with :meth:`Attempt.release`. The window runs from a counter's first
attempt; later attempts do not extend it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache.backends.base import BaseCache

from shop.cache_fallback import on_shared_cache


class Throttled(Exception):
    """An attempt refused unevaluated: one of its counters is at its limit."""


@dataclass(frozen=True)
class Limit:
    """``max_attempts()`` failed attempts per subject in each ``window()`` (both
    read at each attempt, so settings may change them), under ``scope`` in the cache."""

    scope: str
    max_attempts: Callable[[], int]
    window: Callable[[], timedelta]

    def counter(self, subject: str) -> Counter:
        """The counter of ``subject`` (hashed: it may be an e-mail or a contract number)."""
        digest = hashlib.sha256(subject.encode()).hexdigest()
        return Counter(self, f"limit:{self.scope}:{digest}")


@dataclass(frozen=True)
class Counter:
    limit: Limit
    key: str

    def _seconds(self) -> int:
        return max(1, int(self.limit.window().total_seconds()))

    def _take(self) -> int:
        """Count one more attempt; returns the count including it."""
        return on_shared_cache(self._take_in)

    def _take_in(self, cache: BaseCache) -> int:
        while True:
            if cache.add(self.key, 1, timeout=self._seconds()):
                return 1
            try:
                count = cache.incr(self.key)
            except ValueError:  # expired between add() and incr(): start a new window
                continue
            if count <= 1:
                # The key vanished between the Redis backend's EXISTS and INCR,
                # which then recreated it without an expiry: give it one.
                cache.touch(self.key, timeout=self._seconds())
            return count

    def _give_back(self) -> None:
        on_shared_cache(self._give_back_in)

    def _give_back_in(self, cache: BaseCache) -> None:
        try:
            count = cache.decr(self.key)
        except ValueError:  # expired or reset meanwhile: nothing to give back
            return
        if count < 1:
            cache.touch(self.key, timeout=self._seconds())  # as in _take()

    def reset(self) -> None:
        """Forget every attempt counted here (e.g. after a successful sign-in)."""
        on_shared_cache(lambda cache: cache.delete(self.key))


@dataclass(frozen=True)
class Attempt:
    """An attempt counted against ``counters``; it stays counted as a failure
    unless released."""

    counters: tuple[Counter, ...]

    def release(self) -> None:
        """The attempt did not fail: give its place back to every counter."""
        for counter in self.counters:
            counter._give_back()


def attempt(*counters: Counter) -> Attempt:
    """Count one attempt against each of ``counters`` before it is evaluated.

    Raises ``Throttled`` when any counter is then past its limit; the refused
    attempt is given back to all of them, so it costs no counter anything (a
    request refused for its IP does not count against the account it named)."""
    taken: list[Counter] = []
    for counter in counters:
        count = counter._take()
        taken.append(counter)
        if count > counter.limit.max_attempts():
            for each in taken:
                each._give_back()
            raise Throttled
    return Attempt(tuple(counters))
