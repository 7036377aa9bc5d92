"""What the browser test packages share: Playwright driving the system's Chromium
(``apt-get install chromium``; Playwright's own browser download is not used)
against pytest-django's live server, and screenshots under ``test-artifacts/``.

A package uses it by importing the fixtures into its ``conftest.py``::

    from tests.browser import _async_unsafe_allowed as _async_unsafe_allowed
    from tests.browser import browser as browser

Imported there, the package-scoped fixtures belong to that package: each package
opens its own browser, and allows Django's async-unsafe calls only while it is open.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def _async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in the test thread while the
    browser is open; Django refuses database calls from such a thread unless
    told this is fine. Only while this package's browser is open: these tests
    never run Django code inside that loop."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed: None) -> Iterator[Any]:
    """The system's Chromium, headless; the package's tests are skipped, with
    the reason, when it or the playwright package is missing."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install the distribution's package (apt-get install chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield chromium
        finally:
            chromium.close()


def screenshot(page: Any, folder: str, name: str) -> Path:
    """Save the whole of ``page`` as ``test-artifacts/<folder>/<name>.png``; returns the path."""
    directory = ARTIFACTS / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


DOCS = Path(__file__).resolve().parents[1] / "docs"


def docs_copy(path: Path, folder: str) -> None:
    """Copy a screenshot to ``docs/<folder>/`` for the readers, only when asked
    (``UPDATE_DOCS_SCREENSHOTS=1``): a test run leaves the tracked tree as it was."""
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        (DOCS / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / folder / path.name)


AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"  # npm axe-core, MPL-2.0: tests/vendor/axe-core/README.md
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# 200 % zoom of a 1366 px window: the page lays out in half as many CSS pixels.
DESKTOP_ZOOMED = {"width": 683, "height": 450}

# The elements of the page (and of its same-origin frames) that stick out of the
# viewport sideways: wider than it, or reaching past its right edge, unless they
# are clipped away on purpose (visually hidden text, the skip link off-screen).
_OVERFLOW_JS = """
(scrollBoxes) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const scroll = document.scrollingElement.scrollWidth;
  if (scroll > width + 1) found.push(`document: ${scroll}px wide in ${width}px`);
  const hidden = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clip !== "auto" && style.position === "absolute") return true;
      if (style.clipPath !== "none" || node.classList.contains("skip-link")) return true;
    }
    return false;
  };
  // Inside a box that fits and scrolls sideways itself (when those are allowed).
  const scrolled = (el) => {
    if (!scrollBoxes) return false;
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["auto", "scroll"].includes(style.overflowX)) {
        return node.getBoundingClientRect().right <= width + 1;
      }
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (!rect.width && !rect.height) continue;
    if ((rect.width > width + 1 || rect.right > width + 1) && !hidden(el) && !scrolled(el)) {
      const classes = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") +
        (classes ? `.${classes.split(/\\s+/).join(".")}` : "");
      found.push(`${name}: ${Math.round(rect.left)}..${Math.round(rect.right)} in ${width}px`);
    }
  }
  return found;
}
"""


def overflowing(page: Any, *, scroll_boxes: bool = False) -> list[str]:
    """What sticks out of ``page``'s viewport sideways (``[]`` when nothing), in
    the page and in each of its frames; with ``scroll_boxes``, content of a box
    that fits the viewport and scrolls sideways itself (a wide admin table) is fine."""
    found: list[str] = []
    for frame in page.frames:
        found += [f"{frame.url}: {item}" for item in frame.evaluate(_OVERFLOW_JS, scroll_boxes)]
    return found


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of ``impacts`` on ``page``'s main frame, one line each
    (rule, impact, the first offending targets). The script is evaluated through
    the DevTools protocol, so the page's Content-Security-Policy stays as served."""
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [
        f"{item['id']} ({item['impact']}): {item['help']} -- {item['targets']}"
        for item in results
        if item["impact"] in impacts
    ]


def too_small_targets(page: Any, minimum: int = 44) -> list[str]:
    """Visible buttons, form controls (but checkboxes and radios, reached through
    their labels) and links styled as controls smaller than ``minimum`` px."""
    return list(
        page.evaluate(
            """(minimum) => {
              const selector = "button, select, input:not([type=checkbox]):not([type=radio])" +
                ":not([type=hidden]), a.button, nav a, .check";
              const small = [];
              for (const el of document.querySelectorAll(selector)) {
                const rect = el.getBoundingClientRect();
                if (!rect.width || !rect.height) continue;
                if (el.closest(".visually-hidden, .skip-link")) continue;
                if (rect.height < minimum - 0.5 || rect.width < minimum - 0.5) {
                  const text = (el.textContent || el.name || "").trim().slice(0, 30);
                  const size = `${Math.round(rect.width)}x${Math.round(rect.height)}`;
                  small.push(`${el.tagName.toLowerCase()} "${text}": ${size}`);
                }
              }
              return small;
            }""",
            minimum,
        )
    )
