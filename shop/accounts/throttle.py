"""Login throttling: failed attempts counted per account and per client IP
(password sign-ins), and per client IP (portal sign-ins, whose refused tokens
name no account we could count against).

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
    for key in (_account_key(email), _ip_key(ip)):
        _incr(key)


def record_success(*, email: str) -> None:
    cache.delete(_account_key(email))


def _portal_ip_key(ip: str) -> str:
    return f"portal-fail:ip:{ip}"


def portal_is_blocked(*, ip: str) -> bool:
    """Whether ``ip`` made too many refused portal sign-ins (bad or expired tokens)."""
    return _count(_portal_ip_key(ip)) >= settings.LOGIN_THROTTLE_IP_MAX_FAILURES


def portal_record_failure(*, ip: str) -> None:
    _incr(_portal_ip_key(ip))


def _incr(key: str) -> None:
    window = int(settings.LOGIN_THROTTLE_WINDOW.total_seconds())
    # add() only sets a missing key, so the window starts at the first failure.
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
