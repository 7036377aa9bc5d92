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
