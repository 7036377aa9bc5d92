"""Public media on local disk, served by the shop itself with DEBUG off (shop.media)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.http import http_date
from strawberry import relay

from shop.media import byte_range
from shop.storage import IMMUTABLE_CACHE, PUBLIC_CACHE
from tests.factories.catalog import ProductFactory
from tests.media.conftest import files_under, product_list_image_urls, upload_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def stored(media_root: Path) -> Path:
    """A 1,000-byte thumbnail and a category image on disk."""
    thumb = media_root / "products" / "thumbs" / "jarra-160.webp"
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(bytes(range(250)) * 4)
    category = media_root / "categories" / "filtros.png"
    category.parent.mkdir(parents=True)
    category.write_bytes(b"\x89PNG" + b"x" * 96)
    return thumb


def etag(client: Client) -> str:
    response = client.get("/media/products/thumbs/jarra-160.webp")
    response.close()
    value: str = response["ETag"]
    return value


def body(response: Any) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


def test_every_image_url_of_a_product_list_is_served_with_debug_off(
    client, settings, media_root, manager
):
    assert settings.DEBUG is False
    product = ProductFactory(name="Jarra")
    upload_media(client, manager, relay.to_base64("Product", product.pk))

    urls = product_list_image_urls(client)

    assert len(urls) == 1
    for url in urls:
        assert url.startswith("/media/products/thumbs/")
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert body(response) == (media_root / url.removeprefix("/media/")).read_bytes()


def test_a_thumbnail_is_streamed_with_validators_and_a_long_cache(client, stored):
    stat = stored.stat()

    response = client.get("/media/products/thumbs/jarra-160.webp")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Length"] == "1000"
    assert response["ETag"] == f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    assert response["Last-Modified"] == http_date(int(stat.st_mtime))
    assert response["Cache-Control"] == IMMUTABLE_CACHE == "public, max-age=31536000, immutable"
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == stored.read_bytes()


def test_other_media_are_cached_for_a_day(client, stored):
    response = client.get("/media/categories/filtros.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == PUBLIC_CACHE == "public, max-age=86400"
    body(response)


def test_a_revalidation_with_the_etag_answers_304(client, stored):
    current = etag(client)

    response = client.get(
        "/media/products/thumbs/jarra-160.webp", headers={"If-None-Match": current}
    )

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == current


def test_a_revalidation_by_date_answers_304(client, stored):
    since = http_date(int(stored.stat().st_mtime))

    response = client.get(
        "/media/products/thumbs/jarra-160.webp", headers={"If-Modified-Since": since}
    )

    assert response.status_code == 304


def test_a_changed_file_is_sent_again(client, stored):
    earlier = etag(client)
    stored.write_bytes(b"other")
    os.utime(stored, ns=(stored.stat().st_atime_ns, stored.stat().st_mtime_ns + 10**9))

    response = client.get(
        "/media/products/thumbs/jarra-160.webp", headers={"If-None-Match": earlier}
    )

    assert response.status_code == 200
    assert body(response) == b"other"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=900-", 900, 999),
        ("bytes=-10", 990, 999),
        ("bytes=990-5000", 990, 999),
    ],
)
def test_a_range_answers_206_with_those_bytes(client, stored, header, first, last):
    response = client.get("/media/products/thumbs/jarra-160.webp", headers={"Range": header})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/1000"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Type"] == "image/webp"
    assert body(response) == stored.read_bytes()[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-2", "bytes=-0"])
def test_an_unsatisfiable_range_answers_416(client, stored, header):
    response = client.get("/media/products/thumbs/jarra-160.webp", headers={"Range": header})

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-1", "bytes=-"])
def test_a_range_of_another_form_gets_the_whole_file(client, stored, header):
    response = client.get("/media/products/thumbs/jarra-160.webp", headers={"Range": header})

    assert response.status_code == 200
    assert body(response) == stored.read_bytes()


def test_a_range_for_an_older_version_gets_the_whole_file(client, stored):
    headers = {"Range": "bytes=0-9", "If-Range": '"an-older-etag"'}

    response = client.get("/media/products/thumbs/jarra-160.webp", headers=headers)

    assert response.status_code == 200
    assert len(body(response)) == 1000


def test_a_range_for_this_version_is_served(client, stored):
    response = client.get(
        "/media/products/thumbs/jarra-160.webp",
        headers={"Range": "bytes=0-9", "If-Range": etag(client)},
    )

    assert response.status_code == 206
    assert body(response) == stored.read_bytes()[:10]


def test_byte_range_reads_single_ranges():
    assert byte_range("bytes=0-0", 10) == (0, 0)
    assert byte_range("bytes=-20", 10) == (0, 9)
    assert byte_range("bytes=3-", 10) == (3, 9)
    assert byte_range("bytes=0-1,3-4", 10) is None
    with pytest.raises(ValueError, match="bytes=0-"):
        byte_range("bytes=0-", 0)


@pytest.mark.parametrize(
    "path",
    [
        "/media/../tests/settings.py",
        "/media/%2e%2e/tests/settings.py",
        "/media/products/%2e%2e/%2e%2e/secret.txt",
        "/media/products/..%2f..%2fsecret.txt",
        "/media//etc/passwd",
        "/media/%2fetc/passwd",
        "/media/products\\..\\..\\secret.txt",
        "/media/.hidden",
        "/media/products/thumbs/",
        "/media/products",
        "/media/missing.png",
        "/media/link/secret.txt",
    ],
)
def test_nothing_outside_media_root_is_served(client, stored, media_root, path):
    secret = media_root.parent / "secret.txt"
    secret.write_text("not yours")
    (media_root / ".hidden").write_text("hidden")
    (media_root / "link").symlink_to(media_root.parent)

    response = client.get(path)

    assert response.status_code == 404
    assert b"not yours" not in response.content


def test_nothing_is_served_with_serve_media_off(client, stored, settings):
    settings.SERVE_MEDIA = False

    response = client.get("/media/products/thumbs/jarra-160.webp")

    assert response.status_code == 404


def test_media_answer_reads_only(client, stored):
    response = client.post("/media/products/thumbs/jarra-160.webp")

    assert response.status_code == 405
    assert stored.read_bytes() == bytes(range(250)) * 4


def test_uploads_land_under_media_root_only(client, media_root, manager):
    product = ProductFactory()

    media = upload_media(client, manager, relay.to_base64("Product", product.pk))

    names = sorted(str(path.relative_to(media_root)) for path in files_under(media_root))
    assert names == sorted([media.image.name, *media.thumbnails.values()])
