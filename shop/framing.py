"""Who may frame the shop's pages.

The customer portal embeds the storefront in an iframe, so the storefront (and
the demo portal page that plays the portal) may be framed by the shop itself
and the portal's origins (``PORTAL_ORIGINS``) only. Every other page -- the
administration above all -- keeps ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

FRAMEABLE_PREFIXES = ("/storefront/", "/portal-demo/")


def frame_ancestors() -> str:
    return " ".join(["'self'", *settings.PORTAL_ORIGINS])


def with_frame_ancestors(policy: str) -> str:
    """``policy`` (a Content-Security-Policy, maybe empty) with its
    ``frame-ancestors`` directive replaced by the shop's and the portal's origins."""
    directives = [
        directive.strip()
        for directive in policy.split(";")
        if directive.strip() and directive.split()[0].lower() != "frame-ancestors"
    ]
    return "; ".join([*directives, f"frame-ancestors {frame_ancestors()}"])


class PortalFramingMiddleware:
    """Lets the portal frame the storefront: ``frame-ancestors`` on its responses.

    ``X-Frame-Options`` cannot name several origins: on these responses it is
    SAMEORIGIN when there is no portal origin (the same rule as the policy) and
    absent otherwise (browsers obey ``frame-ancestors`` then). Placed before
    whitenoise and Django's X-Frame-Options middleware, so it has the last word
    on every response, static files included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path_info.startswith(FRAMEABLE_PREFIXES):
            response["Content-Security-Policy"] = with_frame_ancestors(
                response.get("Content-Security-Policy", "")
            )
            if settings.PORTAL_ORIGINS:
                del response["X-Frame-Options"]
            else:
                response["X-Frame-Options"] = "SAMEORIGIN"
        return response
