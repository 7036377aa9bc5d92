"""The browser itself enforces who may frame the storefront: a page of the
portal's origin frames it; a page of any other origin gets nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.storefront.conftest import Visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_site(live_server: Any) -> Iterator[str]:
    """A page on another origin (another port) that frames the storefront."""
    page = (
        "<!doctype html><title>Portal</title>"
        f'<iframe id="shop" src="{live_server.url}/storefront/" width="800" height="600"></iframe>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def shop_in_frame(storefront: Visit, origin: str) -> Any:
    storefront.page.goto(f"{origin}/")
    storefront.page.wait_for_load_state("load")
    return storefront.page.frame_locator("#shop")


def test_a_page_of_the_portals_origin_frames_the_storefront(
    storefront: Visit, other_site: str, settings: Any
) -> None:
    settings.PORTAL_ORIGINS = [other_site]

    shop = shop_in_frame(storefront, other_site)

    expect(shop.get_by_role("heading", level=1)).to_have_text("Tienda del Agua")


def test_a_page_of_another_origin_cannot_frame_the_storefront(
    storefront: Visit, other_site: str, settings: Any
) -> None:
    settings.PORTAL_ORIGINS = ["https://oficina.aguas.example"]

    shop_in_frame(storefront, other_site)

    frame = storefront.page.frames[1]
    # The parent's "load" can come before the blocked frame is given its error
    # page (seen on a loaded machine): wait for the frame to have a URL at all.
    for _attempt in range(100):
        if frame.url:
            break
        storefront.page.wait_for_timeout(100)
    assert frame.url.startswith("chrome-error://"), frame.url
    assert frame.locator("h1", has_text="Tienda del Agua").count() == 0
