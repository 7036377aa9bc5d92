"""Helpers for the tests that send requests in parallel against limits kept in
the shared cache: the real Redis, as every API process of a deployment shares it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
import redis
from celery._state import _set_task_join_will_block
from django.core.cache import cache
from django.db import connection
from django.test import Client

REDIS_URL = "redis://127.0.0.1:6379/12"

T = TypeVar("T")


@contextmanager
def shared_cache(settings: Any) -> Iterator[None]:
    """Point the cache at the real Redis (its own database and a key prefix of
    this test's own), emptied before and after. Skips when Redis is not running."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}: the shared cache is needed")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    cache.clear()
    try:
        yield
    finally:
        cache.clear()


def run_together(jobs: list[Callable[[Client], T]]) -> list[T]:
    """Run each job in its own thread, with its own client and so its own database
    connection and cache client, all released at once by a barrier; returns each
    job's result in order (an exception in a job fails the test)."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(index: int, job: Callable[[Client], T]) -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            results[index] = job(client)
        except Exception as exc:  # handed to the main thread, which fails the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Celery's eager apply() saves and restores a process-wide "join would block" flag:
    # threads running tasks at once can leave it set, and every later result.get() in
    # the session would raise "Never call result.get() within a task!".
    _set_task_join_will_block(False)
    assert not [thread for thread in threads if thread.is_alive()], "a request is still waiting"
    assert [result for result in results if isinstance(result, Exception)] == []
    return results


class CallCounter:
    """Wraps a function to count its calls from any thread, each call made as slow
    as a real password hash (the test hasher takes no time), so that parallel
    attempts overlap as they do in production."""

    def __init__(self, function: Callable[..., Any], *, seconds: float = 0.2) -> None:
        self.function = function
        self.seconds = seconds
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
        threading.Event().wait(self.seconds)
        return self.function(*args, **kwargs)
