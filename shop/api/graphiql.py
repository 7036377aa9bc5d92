"""Strawberry's GraphiQL page, rewritten to load its assets from the shop's own static files.

Strawberry's ``graphiql.html`` pulls React, js-cookie, GraphiQL and the explorer plugin from
unpkg.com, but the shop loads nothing from a CDN. The same versions are vendored under
``shop/static/graphiql/``; this module swaps the URLs and drops the SRI/CORS attributes, and
fails loudly if a strawberry upgrade brings in a URL that is not mapped here.
"""

import functools
import html
import re
from importlib.resources import files

from django.templatetags.static import static

# Exact URL in strawberry's graphiql.html -> vendored file under shop/static/graphiql/.
UNPKG_TO_LOCAL: dict[str, str] = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": (
        "graphiql-plugin-explorer.css"
    ),
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "graphiql-plugin-explorer.umd.js"
    ),
}

# A whole <script ...> or <link ...> start tag; quoted values may contain ">" (the svg icon).
_TAG_RE = re.compile(r"""<(?:script|link)\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_SRI_CORS_RE = re.compile(
    r"""\s+(?:integrity|crossorigin)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""", re.IGNORECASE
)
# An absolute (or protocol-relative) src/href left on a <script>/<link>: that would be a CDN.
_REMOTE_ASSET_RE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _localize_tag(match: re.Match[str]) -> str:
    tag = match.group(0)
    found = [url for url in UNPKG_TO_LOCAL if url in tag]
    if not found:
        return tag
    for url in found:
        tag = tag.replace(url, html.escape(static(f"graphiql/{UNPKG_TO_LOCAL[url]}")))
    return _SRI_CORS_RE.sub("", tag)


@functools.cache
def graphiql_html() -> str:
    """Return strawberry's GraphiQL page with every asset served from our own static files."""
    source = (files("strawberry") / "static" / "graphiql.html").read_text(encoding="utf-8")
    page = _TAG_RE.sub(_localize_tag, source)
    remote = [tag for tag in _TAG_RE.findall(page) if _REMOTE_ASSET_RE.search(tag)]
    if "https://unpkg.com" in page or remote:
        msg = (
            "strawberry's graphiql.html still references a CDN after rewriting "
            f"(update UNPKG_TO_LOCAL and shop/static/graphiql/ for the new versions): {remote}"
        )
        raise RuntimeError(msg)
    return page
