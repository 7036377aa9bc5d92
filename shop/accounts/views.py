"""The demo portal (/portal-demo/, DEBUG only): plays the utility's virtual
office so portal sign-in can be tried without one."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shop.accounts import demo
from shop.accounts.portal import PortalTokenError, mint_token

STOREFRONT_PATH = "/storefront/"


@require_safe
@never_cache
def portal_demo(request: HttpRequest) -> HttpResponse:
    """Pick a demo customer (``?customer=<portal id>``); the page then frames the
    storefront with a freshly signed portal token in the URL fragment, which the
    storefront exchanges through ``portalSignIn``. 404 unless DEBUG."""
    if not settings.DEBUG:
        raise Http404
    chosen = next(
        (c for c in demo.PORTAL_CUSTOMERS if c.subject == request.GET.get("customer")), None
    )
    storefront_url = error = ""
    if chosen is not None:
        try:
            token = mint_token(
                email=chosen.email,
                subject=chosen.subject,
                name=chosen.name,
                contracts=chosen.contracts,
                lifetime=min(300, settings.PORTAL_JWT_MAX_LIFETIME),
            )
        except PortalTokenError as exc:
            error = str(exc)
        else:
            storefront_url = f"{STOREFRONT_PATH}#portalToken={token}"
    context = {
        "customers": demo.PORTAL_CUSTOMERS,
        "chosen": chosen,
        "storefront_url": storefront_url,
        "error": error,
    }
    return render(request, "accounts/portal_demo.html", context)
