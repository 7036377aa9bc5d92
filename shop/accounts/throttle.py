"""Sign-in limits, on the shared attempt counters of ``shop.throttle``: password
sign-ins (``tokenCreate``, the administration's login form) are counted per
account and per client IP; portal sign-ins per client IP (a refused token names
no account we could count against), apart from password sign-ins.

An unknown e-mail is counted like a known one, so the limit reveals nothing
about which accounts exist. Each call may raise ``shop.throttle.Throttled``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from shop.throttle import Attempt, Counter, Limit, attempt


def _window() -> timedelta:
    return settings.LOGIN_THROTTLE_WINDOW


ACCOUNT = Limit("sign-in:account", lambda: settings.LOGIN_THROTTLE_MAX_FAILURES, _window)
IP = Limit("sign-in:ip", lambda: settings.LOGIN_THROTTLE_IP_MAX_FAILURES, _window)
PORTAL_IP = Limit("portal-sign-in:ip", lambda: settings.LOGIN_THROTTLE_IP_MAX_FAILURES, _window)


def _account(email: str) -> Counter:
    return ACCOUNT.counter(email.strip().lower())


def sign_in_attempt(*, email: str, ip: str) -> Attempt:
    """Count a password sign-in for ``email`` from ``ip`` before the password is checked."""
    return attempt(_account(email), IP.counter(ip))


def sign_in_succeeded(sign_in: Attempt, *, email: str) -> None:
    """The password was right: the account's failures are forgotten; the IP keeps
    its failures and the success is not counted against it."""
    sign_in.release()
    _account(email).reset()


def portal_attempt(*, ip: str) -> Attempt:
    """Count a portal sign-in from ``ip`` before its token is checked."""
    return attempt(PORTAL_IP.counter(ip))
