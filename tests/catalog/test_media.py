"""Product images: upload checks, thumbnails on disk, and the media mutations
(uploads go as GraphQL multipart requests, like a real client sends them)."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalog import services
from catalog.media import generate_thumbnails, validate_image
from catalog.models import ProductMedia
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from tests.factories import gid
from tests.factories.audit import history
from tests.factories.catalog import MediaFactory, ProductFactory
from tests.operations import operation

# Services called directly speak the default language (Spanish); these tests compare
# the English source messages, like the requests sent with Accept-Language: en.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EN = {"Accept-Language": "en"}
CREATE = operation("staff/ProductMediaCreate")
REORDER = operation("staff/ProductMediaReorder")
DELETE = operation("staff/ProductMediaDelete")
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(1)</script><rect width="100" height="100"/></svg>'
)
INVALID_IMAGE = {
    "field": "image",
    "code": "INVALID_IMAGE",
    "message": "Upload a JPEG, PNG or WEBP image.",
}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def image_bytes(
    image_format: str = "PNG", size: tuple[int, int] = (1200, 800), mode: str = "RGB", **save: Any
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode == "1" else (0, 120, 200)).save(
        buffer, format=image_format, **save
    )
    return buffer.getvalue()


def noisy_png(size: tuple[int, int] = (400, 300)) -> bytes:
    """A PNG whose pixel data does not compress away, so cutting it loses pixels."""
    buffer = io.BytesIO()
    noise = random.Random(size[0]).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, noise).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(
    client: Client,
    variables: dict[str, Any],
    file: SimpleUploadedFile,
    *,
    user: User,
) -> dict[str, Any]:
    """POST productMediaCreate as a GraphQL multipart request: operations, map, then the file."""
    response = client.post(
        "/graphql/",
        data={
            "operations": orjson.dumps(
                {"query": CREATE, "variables": {"input": {**variables, "image": None}}}
            ).decode(),
            "map": orjson.dumps({"0": ["variables.input.image"]}).decode(),
            "0": file,
        },
        headers={**EN, "Authorization": f"Bearer {create_token(user, 'access')}"},
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = orjson.loads(response.content)
    return body


# validate_image


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (image_bytes("PNG", (640, 480)), ("PNG", 640, 480)),
        (image_bytes("JPEG", (300, 500), quality=80), ("JPEG", 300, 500)),
        (image_bytes("WEBP", (50, 20)), ("WEBP", 50, 20)),
        (image_bytes("PNG", (32, 32), mode="RGBA"), ("PNG", 32, 32)),
    ],
)
def test_validate_image_reads_format_and_size(content, expected):
    # given
    file = SimpleUploadedFile("anything.bin", content)

    # when
    result = validate_image(file)

    # then
    assert result == expected
    assert file.tell() == 0


@pytest.mark.parametrize(
    "content",
    [
        SVG,
        b"Esto no es una imagen.\n" * 20,
        noisy_png()[:2000],
        image_bytes("JPEG", (400, 300))[:600],
        image_bytes("GIF", (40, 40), mode="P"),
        image_bytes("BMP", (40, 40)),
        b"",
    ],
    ids=["svg", "text", "truncated-png", "truncated-jpeg", "gif", "bmp", "empty"],
)
def test_validate_image_refuses_anything_but_whole_jpeg_png_or_webp(content):
    # when
    with pytest.raises(ValidationError) as caught:
        validate_image(SimpleUploadedFile("foto.png", content, content_type="image/png"))

    # then
    assert caught.value.message_dict == {"image": ["Upload a JPEG, PNG or WEBP image."]}
    assert [error.code for error in caught.value.error_dict["image"]] == ["invalid_image"]


@pytest.mark.parametrize(
    "size",
    [(8000, 5001), (10_000, 9_000)],
    ids=["above-40-megapixels", "decompression-bomb"],
)
def test_validate_image_refuses_too_many_pixels(size):
    # given: a 1-bit image, small on disk whatever its size in pixels
    content = image_bytes("PNG", size, mode="1")

    # when
    with pytest.raises(ValidationError) as caught:
        validate_image(SimpleUploadedFile("big.png", content))

    # then
    assert caught.value.message_dict == {
        "image": ["The image is too large: at most 10 MB and 40 megapixels."]
    }
    assert [error.code for error in caught.value.error_dict["image"]] == ["image_too_large"]


def test_validate_image_refuses_a_file_above_the_byte_limit(settings):
    # given
    settings.CATALOG_MAX_IMAGE_BYTES = 1024 * 1024
    content = b"\x89PNG" + b"0" * (1024 * 1024)

    # when
    with pytest.raises(ValidationError) as caught:
        validate_image(SimpleUploadedFile("big.png", content))

    # then
    assert caught.value.message_dict == {
        "image": ["The image is too large: at most 1 MB and 40 megapixels."]
    }


# generate_thumbnails


def test_thumbnails_keep_the_aspect_ratio_and_never_upscale(tmp_path):
    # given: an upright 300 x 500 JPEG stored as 500 x 300 with EXIF "rotate 90"
    exif = Image.Exif()
    exif[0x0112] = 6
    name = default_storage.save(
        "products/turned.jpg", ContentFile(image_bytes("JPEG", (500, 300), exif=exif))
    )
    media = MediaFactory(image=name, thumbnails={})

    # when
    generate_thumbnails(media)

    # then
    assert (media.width, media.height) == (300, 500)
    assert media.thumbnails == {"160": "products/thumbs/turned-160.webp"}
    with Image.open(tmp_path / "products/thumbs/turned-160.webp") as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (160, 267))


# productMediaCreate


def test_product_media_create_stores_the_image_and_its_thumbnails(client, manager, tmp_path):
    # given
    product = ProductFactory(slug="jarra")
    MediaFactory(product=product, position=5)

    # when
    body = upload(
        client,
        {"product": gid("Product", product.pk), "alt": "Jarra azul", "altEn": "Blue jug"},
        SimpleUploadedFile("../../jarra.png", image_bytes("PNG", (1200, 800)), "image/png"),
        user=manager,
    )

    # then
    media = ProductMedia.objects.get(alt="Jarra azul")
    stem = Path(media.image.name).stem
    assert media.image.name == f"products/{stem}.png"
    thumbnails = {width: f"products/thumbs/{stem}-{width}.webp" for width in ("160", "480", "960")}
    assert body == {
        "data": {
            "productMediaCreate": {
                "media": {
                    "id": gid("ProductMedia", media.pk),
                    "url": f"/media/products/{stem}.png",
                    "alt": "Blue jug",
                    "width": 1200,
                    "height": 800,
                    "position": 6,
                    "small": {"url": f"/media/{thumbnails['160']}"},
                    "large": {"url": f"/media/{thumbnails['960']}"},
                },
                "product": {
                    "id": gid("Product", product.pk),
                    "media": [
                        {"id": gid("ProductMedia", pk)}
                        for pk in ProductMedia.objects.order_by("position").values_list(
                            "pk", flat=True
                        )
                    ],
                },
                "errors": [],
            }
        }
    }
    assert ProductMedia.objects.filter(pk=media.pk).values(
        "product_id", "alt", "alt_en", "position", "width", "height", "thumbnails"
    ).get() == {
        "product_id": product.pk,
        "alt": "Jarra azul",
        "alt_en": "Blue jug",
        "position": 6,
        "width": 1200,
        "height": 800,
        "thumbnails": thumbnails,
    }
    assert files(tmp_path) == [f"products/{stem}.png", *sorted(thumbnails.values())]
    sizes = {}
    for width, name in thumbnails.items():
        with Image.open(tmp_path / name) as thumbnail:
            assert thumbnail.format == "WEBP"
            sizes[width] = thumbnail.size
    assert sizes == {"160": (160, 107), "480": (480, 320), "960": (960, 640)}
    assert history() == [(manager.pk, "productmedia", str(media.pk), ADDITION, "")]


def test_a_small_jpeg_gets_only_the_thumbnails_it_can_fill(client, manager, tmp_path):
    # given
    product = ProductFactory()

    # when
    body = upload(
        client,
        {"product": gid("Product", product.pk)},
        SimpleUploadedFile("foto.jpeg", image_bytes("JPEG", (600, 450)), "image/jpeg"),
        user=manager,
    )

    # then
    media = ProductMedia.objects.get()
    stem = Path(media.image.name).stem
    assert body["data"]["productMediaCreate"]["errors"] == []
    assert body["data"]["productMediaCreate"]["media"]["large"] == {
        "url": f"/media/products/{stem}.jpg"
    }
    assert (media.position, media.width, media.height) == (1, 600, 450)
    assert media.thumbnails == {
        "160": f"products/thumbs/{stem}-160.webp",
        "480": f"products/thumbs/{stem}-480.webp",
    }
    assert files(tmp_path) == [
        f"products/{stem}.jpg",
        f"products/thumbs/{stem}-160.webp",
        f"products/thumbs/{stem}-480.webp",
    ]
    with Image.open(tmp_path / f"products/thumbs/{stem}-480.webp") as thumbnail:
        assert thumbnail.size == (480, 360)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("logo.svg", SVG, "image/svg+xml"),
        ("notas.png", b"Esto no es una imagen.\n" * 20, "image/png"),
        ("cortada.png", noisy_png()[:2000], "image/png"),
        ("animada.gif", image_bytes("GIF", (40, 40), mode="P"), "image/gif"),
    ],
    ids=["svg", "text-renamed-png", "truncated-png", "gif"],
)
def test_an_upload_that_is_not_an_allowed_image_is_refused(
    client, manager, tmp_path, name, content, content_type
):
    # given
    product = ProductFactory()

    # when
    body = upload(
        client,
        {"product": gid("Product", product.pk)},
        SimpleUploadedFile(name, content, content_type),
        user=manager,
    )

    # then
    assert body == {
        "data": {"productMediaCreate": {"media": None, "product": None, "errors": [INVALID_IMAGE]}}
    }
    assert ProductMedia.objects.count() == 0
    assert files(tmp_path) == []
    assert history() == []


def test_an_upload_above_the_byte_limit_is_refused(client, manager, tmp_path, settings):
    # given
    settings.CATALOG_MAX_IMAGE_BYTES = 1024 * 1024
    product = ProductFactory()
    content = noisy_png((1000, 800))
    assert len(content) > 1024 * 1024

    # when
    body = upload(
        client,
        {"product": gid("Product", product.pk)},
        SimpleUploadedFile("grande.png", content, "image/png"),
        user=manager,
    )

    # then
    assert body["data"]["productMediaCreate"] == {
        "media": None,
        "product": None,
        "errors": [
            {
                "field": "image",
                "code": "IMAGE_TOO_LARGE",
                "message": "The image is too large: at most 1 MB and 40 megapixels.",
            }
        ],
    }
    assert ProductMedia.objects.count() == 0
    assert files(tmp_path) == []
    assert history() == []


def test_an_image_sent_as_json_instead_of_a_file_is_refused(gql, manager, tmp_path):
    # given
    product = ProductFactory()

    # when
    body = gql(
        CREATE,
        {"input": {"product": gid("Product", product.pk), "image": "aGVsbG8="}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productMediaCreate"]["errors"] == [
        {
            "field": "image",
            "code": "INVALID_IMAGE",
            "message": "Send the image as a file of a multipart request.",
        }
    ]
    assert (ProductMedia.objects.count(), files(tmp_path), history()) == (0, [], [])


def test_an_upload_for_an_unknown_product_writes_nothing(client, manager, tmp_path):
    # when
    body = upload(
        client,
        {"product": gid("Product", 999_999)},
        SimpleUploadedFile("foto.png", image_bytes(), "image/png"),
        user=manager,
    )

    # then
    assert body["data"]["productMediaCreate"]["errors"] == [
        {"field": "product", "code": "NOT_FOUND", "message": "Not found."}
    ]
    assert (ProductMedia.objects.count(), files(tmp_path), history()) == (0, [], [])


def test_files_written_before_a_failure_are_deleted(manager, tmp_path, monkeypatch):
    # given: the history cannot be written
    product = ProductFactory()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("history unavailable")

    # (patched where product_media_create looks it up)
    monkeypatch.setattr("catalog.services.media.record_catalog_change", broken)

    # when
    with pytest.raises(RuntimeError, match="history unavailable"):
        services.product_media_create(
            actor=manager,
            product=product,
            upload=SimpleUploadedFile("foto.png", image_bytes(), "image/png"),
        )

    # then
    assert ProductMedia.objects.count() == 0
    assert files(tmp_path) == []


# productMediaReorder


@pytest.fixture
def three_media() -> list[ProductMedia]:
    product = ProductFactory()
    return [MediaFactory(product=product, position=position) for position in (1, 2, 3)]


def test_product_media_reorder_gives_the_listed_positions(gql, manager, three_media):
    # given
    first, second, third = three_media
    product = first.product

    # when
    body = gql(
        REORDER,
        {
            "input": {
                "product": gid("Product", product.pk),
                "media": [gid("ProductMedia", m.pk) for m in (third, first, second)],
            }
        },
        user=manager,
    )

    # then
    assert body == {
        "data": {
            "productMediaReorder": {
                "product": {"id": gid("Product", product.pk)},
                "media": [
                    {"id": gid("ProductMedia", third.pk), "position": 1},
                    {"id": gid("ProductMedia", first.pk), "position": 2},
                    {"id": gid("ProductMedia", second.pk), "position": 3},
                ],
                "errors": [],
            }
        }
    }
    assert list(ProductMedia.objects.order_by("position").values_list("pk", "position")) == [
        (third.pk, 1),
        (first.pk, 2),
        (second.pk, 3),
    ]
    assert history() == [
        (manager.pk, "productmedia", str(m.pk), CHANGE, "position") for m in three_media
    ]


@pytest.mark.parametrize(
    ("listed", "error"),
    [
        (
            lambda media, _other: [media[0], media[1]],
            {
                "field": "media",
                "code": "INVALID",
                "message": "List every image of the product exactly once.",
            },
        ),
        (
            lambda media, _other: [media[0], media[1], media[2], media[2]],
            {
                "field": "media",
                "code": "INVALID",
                "message": "List every image of the product exactly once.",
            },
        ),
        (
            lambda media, other: [media[0], media[1], media[2], other],
            {
                "field": "media",
                "code": "INVALID",
                "message": "List every image of the product exactly once.",
            },
        ),
        (
            lambda media, _other: [*media, "bm9wZQ=="],
            {"field": "media", "code": "NOT_FOUND", "message": "Not found."},
        ),
    ],
    ids=["missing", "twice", "of-another-product", "bad-id"],
)
def test_product_media_reorder_needs_every_image_once(gql, manager, three_media, listed, error):
    # given
    other = MediaFactory()
    before = list(ProductMedia.objects.order_by("pk").values())
    ids = [
        item if isinstance(item, str) else gid("ProductMedia", item.pk)
        for item in listed(three_media, other)
    ]

    # when
    body = gql(
        REORDER,
        {"input": {"product": gid("Product", three_media[0].product_id), "media": ids}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["productMediaReorder"] == {"product": None, "media": [], "errors": [error]}
    assert list(ProductMedia.objects.order_by("pk").values()) == before
    assert history() == []


# productMediaDelete


def test_product_media_delete_removes_the_row_and_its_files(
    gql, manager, tmp_path, django_capture_on_commit_callbacks
):
    # given
    product = ProductFactory()
    for name in ("products/a.png", "products/thumbs/a-160.webp", "products/b.png"):
        default_storage.save(name, ContentFile(b"x"))
    media = MediaFactory(
        product=product, image="products/a.png", thumbnails={"160": "products/thumbs/a-160.webp"}
    )
    kept = MediaFactory(product=product, image="products/b.png", thumbnails={})

    # when
    with django_capture_on_commit_callbacks(execute=True):
        body = gql(DELETE, {"input": {"id": gid("ProductMedia", media.pk)}}, user=manager)

    # then
    assert body == {
        "data": {
            "productMediaDelete": {
                "product": {
                    "id": gid("Product", product.pk),
                    "media": [{"id": gid("ProductMedia", kept.pk)}],
                },
                "errors": [],
            }
        }
    }
    assert list(ProductMedia.objects.values_list("pk", flat=True)) == [kept.pk]
    assert files(tmp_path) == ["products/b.png"]
    assert history() == [(manager.pk, "productmedia", str(media.pk), DELETION, "")]


def test_an_unknown_image_is_not_found(gql, manager, tmp_path):
    # given
    MediaFactory()
    before = list(ProductMedia.objects.values())

    # when
    body = gql(DELETE, {"input": {"id": gid("ProductMedia", 999_999)}}, user=manager, headers=EN)

    # then
    assert body["data"]["productMediaDelete"] == {
        "product": None,
        "errors": [{"field": "id", "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert list(ProductMedia.objects.values()) == before
    assert history() == []


def test_uploaded_originals_lose_their_exif_but_stay_upright(client, manager, tmp_path):
    product = ProductFactory()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    exif[0x010F] = "Cámara del cliente"  # camera make: metadata like the GPS block
    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), (200, 40, 40)).save(buffer, format="JPEG", exif=exif)
    file = SimpleUploadedFile("con-gps.jpg", buffer.getvalue(), content_type="image/jpeg")

    body = upload(
        client, {"product": gid("Product", product.pk), "alt": "Foto"}, file, user=manager
    )

    assert body["data"]["productMediaCreate"]["errors"] == []
    media = ProductMedia.objects.get(product=product)
    with Image.open(tmp_path / media.image.name) as stored:
        assert dict(stored.getexif()) == {}
        assert stored.size == (200, 400)
    assert (media.width, media.height) == (200, 400)
