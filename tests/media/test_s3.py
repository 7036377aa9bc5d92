"""Media on an S3-compatible object store shared by every instance (moto's server).

Each "instance" is a Django test client with a MEDIA_ROOT of its own: what one
uploads the other lists and serves, and neither writes to its disk.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image
from strawberry import relay

from invoicing import rendering
from invoicing.models import Invoice
from invoicing.selectors import invoice_pdf_url
from orders import services
from orders.models import ClaimAttachment, ClaimMessage
from orders.payments.memory import gateway
from orders.services import claims
from orders.views import claim_photo_url
from shop.accounts import roles
from shop.storage import s3_storages
from tests.factories.catalog import ProductFactory
from tests.factories.orders import place_order, staff_in_role, stocked_variant
from tests.invoicing.invoice_rows import issued_invoice
from tests.media.conftest import (
    Bucket,
    files_under,
    png_bytes,
    product_list_image_urls,
    upload_media,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gateway():
    gateway.reset()
    yield
    gateway.reset()


def test_an_upload_through_one_instance_is_served_through_the_other(
    settings, on_s3: Bucket, instance_roots: tuple[Path, Path], manager
):
    assert settings.DEBUG is False
    first_root, second_root = instance_roots
    product = ProductFactory(name="Jarra")
    media = upload_media(Client(), manager, relay.to_base64("Product", product.pk))

    settings.MEDIA_ROOT = second_root
    urls = product_list_image_urls(Client())

    prefix = f"{on_s3.endpoint}/{on_s3.name}/media/products/thumbs/"
    assert len(urls) == 1
    assert urls[0].startswith(prefix)
    for url in urls:
        response = requests.get(url, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/webp"
        assert Image.open(io.BytesIO(response.content)).format == "WEBP"
    assert on_s3.object_keys() == sorted(
        f"media/{name}" for name in [media.image.name, *media.thumbnails.values()]
    )
    assert files_under(first_root) == []
    assert files_under(second_root) == []


def test_public_objects_carry_their_cache_lifetime(on_s3: Bucket, instance_roots, manager):
    product = ProductFactory()
    media = upload_media(Client(), manager, relay.to_base64("Product", product.pk))

    thumbnail = on_s3.head(f"media/{media.thumbnails['480']}")
    original = on_s3.head(f"media/{media.image.name}")
    category = default_storage.save("categories/filtros.png", ContentFile(png_bytes((20, 20))))

    assert thumbnail["CacheControl"] == "public, max-age=31536000, immutable"
    assert thumbnail["ContentType"] == "image/webp"
    assert original["CacheControl"] == "public, max-age=31536000, immutable"
    assert original["ContentType"] == "image/png"
    assert on_s3.head(f"media/{category}")["CacheControl"] == "public, max-age=86400"


def test_the_shop_does_not_serve_media_kept_on_s3(client, on_s3: Bucket, instance_roots, manager):
    product = ProductFactory()
    media = upload_media(Client(), manager, relay.to_base64("Product", product.pk))

    response = client.get(f"/media/{media.image.name}")

    assert response.status_code == 404


def claim_photo_on_s3() -> ClaimAttachment:
    order = place_order(
        lines=[(stocked_variant(quantity=5, price="10.00"), 1)], email="lucia@example.com"
    )
    services.order_fulfill(
        actor=staff_in_role(roles.ORDER_MANAGER), order=order, quantities=[(order.lines.get(), 1)]
    )
    claim = claims.claim_create(
        actor=None,
        order=order,
        reason="damaged",
        description="Una jarra llegó rota.",
        lines=[(order.lines.get(), 1)],
        photos=[ContentFile(png_bytes((200, 100)), name="jarra.png")],
    )
    return ClaimAttachment.objects.get(message__in=ClaimMessage.objects.filter(claim=claim))


def test_claim_photos_stay_private_on_s3(client, on_s3: Bucket, instance_roots):
    attachment = claim_photo_on_s3()
    key = f"private/{attachment.image.name}"

    direct = requests.get(f"{on_s3.endpoint}/{on_s3.name}/{key}", timeout=10)
    presigned = requests.get(attachment.image.url, timeout=10)
    response = client.get(claim_photo_url(attachment))

    assert on_s3.object_keys() == [key]
    assert direct.status_code == 403
    assert "X-Amz-Signature=" in attachment.image.url
    assert presigned.status_code == 200
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == presigned.content
    response.close()


def test_a_claim_photo_missing_from_s3_is_not_found(client, on_s3: Bucket, instance_roots):
    attachment = claim_photo_on_s3()
    on_s3.client.delete_object(Bucket=on_s3.name, Key=f"private/{attachment.image.name}")
    client.raise_request_exception = False

    response = client.get(claim_photo_url(attachment))

    assert response.status_code == 404
    assert ClaimAttachment.objects.filter(pk=attachment.pk).exists()


def test_an_invoice_pdf_is_drawn_onto_and_streamed_from_s3(client, on_s3: Bucket, instance_roots):
    order = place_order(lines=[(stocked_variant(quantity=5), 1)], email="lucia@example.com")
    invoice = issued_invoice(order, number=90)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()

    response = client.get(invoice_pdf_url(invoice))

    assert f"private/{invoice.pdf.name}" in on_s3.object_keys()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    response.close()
    direct = requests.get(f"{on_s3.endpoint}/{on_s3.name}/private/{invoice.pdf.name}", timeout=10)
    assert direct.status_code == 403


def test_an_invoice_pdf_missing_from_s3_is_not_found(client, on_s3: Bucket, instance_roots):
    order = place_order(lines=[(stocked_variant(quantity=5), 1)], email="lucia@example.com")
    invoice = issued_invoice(order, number=91)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    on_s3.client.delete_object(Bucket=on_s3.name, Key=f"private/{invoice.pdf.name}")
    client.raise_request_exception = False

    response = client.get(invoice_pdf_url(invoice))

    assert response.status_code == 404
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == invoice.pdf.name


def test_s3_settings_need_a_bucket():
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        s3_storages({"S3_ENDPOINT_URL": "http://127.0.0.1:9000"})


@pytest.mark.parametrize(
    "environ",
    [
        {"S3_PRIVATE_PREFIX": "media"},
        {"S3_PRIVATE_PREFIX": "media/private"},
        {"S3_PRIVATE_PREFIX": ""},
        {"S3_MEDIA_PREFIX": ""},
    ],
)
def test_one_bucket_needs_distinct_public_and_private_folders(environ: dict[str, Any]):
    with pytest.raises(ImproperlyConfigured, match="S3_PRIVATE_PREFIX"):
        s3_storages({"S3_BUCKET": "shop-media", **environ})


def test_a_private_bucket_of_its_own_may_share_the_folder_name():
    result = s3_storages(
        {"S3_BUCKET": "shop-media", "S3_PRIVATE_BUCKET": "shop-private", "S3_PRIVATE_PREFIX": ""}
    )

    assert result["default"]["OPTIONS"]["bucket_name"] == "shop-media"
    assert result["default"]["OPTIONS"]["querystring_auth"] is False
    assert result["private"]["OPTIONS"]["bucket_name"] == "shop-private"
    assert result["private"]["OPTIONS"]["location"] == ""
    assert result["private"]["OPTIONS"]["querystring_auth"] is True
