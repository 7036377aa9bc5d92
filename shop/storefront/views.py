"""Serve the reference storefront at /storefront/.

Three views, all read-only:

- ``index``: the app shell (``app/index.html``), with a Content-Security-Policy
  that allows scripts from the shop only -- and Stripe.js only when a Stripe
  publishable key is configured -- and framing by the shop and the portal's
  origins only (``frame-ancestors``; the rest of the site keeps ``X-Frame-Options:
  DENY``).
- ``asset``: the app's own files (``app/``: JavaScript modules, CSS, images).
- ``operation``: the operation documents of ``graphql/operations/storefront/``,
  so the storefront speaks only through the API's contract documents.

The files are served from this folder rather than ``/static/`` so the embed URL
(``/storefront/embed.js``) is stable and the modules' relative imports resolve
under one base; they are small, revalidated with ``Last-Modified`` and answer
the portal's origins with CORS, which cross-origin module scripts require.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from django.views.static import serve

APP_DIR = Path(__file__).resolve().parent / "app"
OPERATIONS_DIR = Path(settings.BASE_DIR) / "graphql" / "operations" / "storefront"
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
ASSET_PATH = re.compile(r"^(?:[a-z0-9_-]+/)*[a-z0-9_-]+\.[a-z]+$")
OPERATION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
STRIPE_JS = "https://js.stripe.com"


def content_security_policy() -> str:
    """The shell's policy: everything from the shop itself; Stripe's hosts only
    when the card route is configured; framed by the shop and the portal only."""
    stripe = bool(settings.STRIPE_PUBLISHABLE_KEY)
    ancestors = " ".join(["'self'", *settings.PORTAL_ORIGINS])
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {STRIPE_JS}" if stripe else "'self'",
        "connect-src": "'self' https://api.stripe.com" if stripe else "'self'",
        "frame-src": f"{STRIPE_JS} https://hooks.stripe.com" if stripe else "'none'",
        # Product media may live on a storage backend's host.
        "img-src": "'self' data: https:",
        "style-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _allow_portal(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Let the portal's pages load the modules and documents (``embed.js``)."""
    origin = request.headers.get("Origin", "")
    if origin and origin in settings.PORTAL_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@xframe_options_exempt
def index(_request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        (APP_DIR / "index.html").read_bytes(), content_type="text/html; charset=utf-8"
    )
    response["Content-Security-Policy"] = content_security_policy()
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def asset(request: HttpRequest, path: str) -> HttpResponseBase:
    suffix = Path(path).suffix
    if not ASSET_PATH.match(path) or suffix not in ASSET_TYPES or path == "index.html":
        raise Http404
    response = serve(request, path, document_root=str(APP_DIR))
    if isinstance(response, FileResponse):
        response["Content-Type"] = ASSET_TYPES[suffix]
    return _allow_portal(request, response)


@require_safe
def operation(request: HttpRequest, name: str) -> HttpResponseBase:
    if not OPERATION_NAME.match(name):
        raise Http404
    response = serve(request, f"{name}.graphql", document_root=str(OPERATIONS_DIR))
    if isinstance(response, FileResponse):
        response["Content-Type"] = "application/graphql; charset=utf-8"
    return _allow_portal(request, response)
