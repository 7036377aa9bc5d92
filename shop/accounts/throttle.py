"""Login throttling: failed attempts counted per account and per client IP.

Counters live in the cache (Redis in production, shared by every API process).
An unknown e-mail is counted like a known one, so the throttle reveals nothing
about which accounts exist.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _account_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"login-fail:account:{digest}"


def _ip_key(ip: str) -> str:
    return f"login-fail:ip:{ip}"


def _count(key: str) -> int:
    return int(cache.get(key, 0))


def is_blocked(*, email: str, ip: str) -> bool:
    return (
        _count(_account_key(email)) >= settings.LOGIN_THROTTLE_MAX_FAILURES
        or _count(_ip_key(ip)) >= settings.LOGIN_THROTTLE_IP_MAX_FAILURES
    )


def record_failure(*, email: str, ip: str) -> None:
    window = int(settings.LOGIN_THROTTLE_WINDOW.total_seconds())
    for key in (_account_key(email), _ip_key(ip)):
        # add() only sets a missing key, so the window starts at the first failure.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def record_success(*, email: str) -> None:
    cache.delete(_account_key(email))
