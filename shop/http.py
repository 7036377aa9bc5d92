"""Request facts that depend on the deployment (proxies in front of the shop)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's IP address, used for rate limits.

    With ``TRUSTED_PROXIES = n`` the shop sits behind n proxies that each append
    to ``X-Forwarded-For``; the n-th address from the right is the one the
    outermost proxy saw. Addresses further left are the client's own claims and
    are ignored, so a client cannot pick its rate-limit bucket.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
