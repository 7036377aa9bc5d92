"""The rules of a claim, through /graphql/: which orders, lines and quantities
may be claimed and until when, which photos are kept (and how), how a claim
moves from open to resolved or rejected, and what each resolution does to
money and stock. A refused request leaves nothing behind."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from catalog.models import Stock
from orders import models, services
from orders.payments.memory import gateway
from orders.services import claims
from shop.accounts import roles
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from tests.factories import UserFactory
from tests.factories.orders import gid, place_order, shipped_order, staff_in_role, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db

CREATE = operation("storefront/ClaimCreate")
MESSAGE = operation("storefront/ClaimMessageAdd")
UPDATE_STATUS = operation("staff/ClaimUpdateStatus")
RESOLVE = operation("staff/ClaimResolve")
GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


@pytest.fixture(autouse=True)
def private_root(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    # FileField calls its storage callable once, when the model class is built,
    # so the overridden setting alone would not reach it.
    field = models.ClaimAttachment._meta.get_field("image")
    monkeypatch.setattr(field, "storage", storages["private"])
    return root


@pytest.fixture
def customer() -> User:
    return UserFactory(email="lucia@example.com")


@pytest.fixture
def manager() -> User:
    return staff_in_role(roles.ORDER_MANAGER, email="gestor@example.com")


def claim_input(order: models.Order, *lines: tuple[models.OrderLine, int], **fields: Any):
    return {
        "orderId": gid("Order", order.pk),
        "reason": "DAMAGED",
        "description": "Una jarra llegó rota.",
        "lines": [
            {"lineId": gid("OrderLine", line.pk), "quantity": quantity} for line, quantity in lines
        ],
        **fields,
    }


def open_claim(order: models.Order, quantity: int = 1) -> models.Claim:
    return claims.claim_create(
        actor=order.user,
        order=order,
        reason=models.Claim.Reason.DAMAGED,
        description="Una jarra llegó rota.",
        lines=[(order.lines.get(), quantity)],
    )


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def image_bytes(image_format: str, size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 120, 200)).save(buffer, format=image_format, **save)
    return buffer.getvalue()


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD)[2] = (37.0, 23.0, 0.0)  # GPSLatitude: Sevilla
    return exif


def noisy_png(size: tuple[int, int] = (200, 150)) -> bytes:
    noise = random.Random(size[0]).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(buffer, format="PNG")
    return buffer.getvalue()


def create_with_photos(
    client: Client, input: dict[str, Any], photos: list[SimpleUploadedFile], *, user: User
) -> dict[str, Any]:
    """claimCreate as a GraphQL multipart request (operations, map, then the files)."""
    operations = {
        "query": CREATE,
        "variables": {"input": {**input, "photos": [None] * len(photos)}},
    }
    mapping = {str(index): [f"variables.input.photos.{index}"] for index in range(len(photos))}
    response = client.post(
        "/graphql/",
        data={
            "operations": orjson.dumps(operations).decode(),
            "map": orjson.dumps(mapping).decode(),
            **{str(index): photo for index, photo in enumerate(photos)},
        },
        headers={"Authorization": f"Bearer {create_token(user, 'access')}"},
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = orjson.loads(response.content)
    return body["data"]["claimCreate"]


def files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def nothing_claimed() -> dict[str, int]:
    return {
        "claims": models.Claim.objects.count(),
        "lines": models.ClaimLine.objects.count(),
        "messages": models.ClaimMessage.objects.count(),
        "photos": models.ClaimAttachment.objects.count(),
        "events": models.ClaimEvent.objects.count(),
    }


NOTHING = {"claims": 0, "lines": 0, "messages": 0, "photos": 0, "events": 0}


def resolve(gql, claim: models.Claim, manager: User, **fields: Any) -> dict[str, Any]:
    input = {"id": gid("Claim", claim.pk), "message": "Le atendemos.", **fields}
    return gql(RESOLVE, {"input": input}, user=manager)["data"]["claimResolve"]


def update_status(gql, claim: models.Claim, manager: User, status: str, message: str = ""):
    input = {"id": gid("Claim", claim.pk), "status": status, "message": message}
    return gql(UPDATE_STATUS, {"input": input}, user=manager)["data"]["claimUpdateStatus"]


def refunds() -> list[tuple[str, Decimal, str]]:
    rows = models.PaymentTransaction.objects.filter(kind="refund").order_by("pk")
    return [(row.idempotency_key.rsplit(":refund:", 1)[1], row.amount, row.status) for row in rows]


def refunded_by_gateway() -> dict[str, Decimal]:
    """What the provider gave back at the shop's request, by the shop's key."""
    return {
        key.rsplit(":refund:", 1)[1]: amount
        for key, amount in gateway.refunds.items()
        if ":refund:" in key
    }


# Which orders, and until when.


def test_an_order_not_shipped_yet_cannot_be_claimed(gql, customer):
    order = place_order(lines=[(stocked_variant(quantity=5, price="10.00"), 2)], user=customer)

    payload = gql(CREATE, {"input": claim_input(order, (order.lines.get(), 1))}, user=customer)

    assert payload["data"]["claimCreate"]["claim"] is None
    assert codes(payload["data"]["claimCreate"]) == [(None, "NOT_CLAIMABLE")]
    assert nothing_claimed() == NOTHING


def test_a_partially_shipped_order_can_be_claimed(gql, customer):
    order = place_order(lines=[(stocked_variant(quantity=5, price="10.00"), 2)], user=customer)
    line = order.lines.get()
    services.order_fulfill(
        actor=staff_in_role(roles.ORDER_MANAGER), order=order, quantities=[(line, 1)]
    )

    payload = gql(CREATE, {"input": claim_input(order, (line, 2))}, user=customer)

    result = payload["data"]["claimCreate"]
    assert result["errors"] == []
    assert (result["claim"]["status"], result["claim"]["lines"][0]["quantity"]) == ("OPEN", 2)


def test_a_claim_after_the_window_is_refused(gql, customer, settings):
    settings.SHOP_CLAIM_WINDOW_DAYS = 7
    order = shipped_order(customer)
    order.fulfillments.update(created_at=timezone.now() - timedelta(days=7, minutes=1))

    payload = gql(CREATE, {"input": claim_input(order, (order.lines.get(), 1))}, user=customer)

    assert codes(payload["data"]["claimCreate"]) == [(None, "WINDOW_CLOSED")]
    assert nothing_claimed() == NOTHING


def test_a_claim_on_the_windows_last_day_is_accepted(gql, customer, settings):
    settings.SHOP_CLAIM_WINDOW_DAYS = 7
    order = shipped_order(customer)
    order.fulfillments.update(created_at=timezone.now() - timedelta(days=7) + timedelta(minutes=1))

    payload = gql(CREATE, {"input": claim_input(order, (order.lines.get(), 1))}, user=customer)

    assert payload["data"]["claimCreate"]["errors"] == []
    assert models.Claim.objects.count() == 1


def test_the_window_runs_from_the_last_shipment(gql, customer, settings):
    settings.SHOP_CLAIM_WINDOW_DAYS = 7
    order = place_order(lines=[(stocked_variant(quantity=5, price="10.00"), 2)], user=customer)
    line = order.lines.get()
    shipper = staff_in_role(roles.ORDER_MANAGER)
    first = services.order_fulfill(actor=shipper, order=order, quantities=[(line, 1)])
    models.Fulfillment.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    services.order_fulfill(actor=shipper, order=order, quantities=[(line, 1)])

    payload = gql(CREATE, {"input": claim_input(order, (line, 2))}, user=customer)

    assert payload["data"]["claimCreate"]["errors"] == []


# Which lines, how many units.


def test_a_line_of_another_order_is_refused(gql, customer):
    order, other = shipped_order(customer), shipped_order(customer)

    payload = gql(CREATE, {"input": claim_input(order, (other.lines.get(), 1))}, user=customer)

    assert codes(payload["data"]["claimCreate"]) == [("lines", "INVALID_LINE")]
    assert nothing_claimed() == NOTHING


def test_an_unknown_line_is_not_found(gql, customer):
    order = shipped_order(customer)
    input = {**claim_input(order), "lines": [{"lineId": gid("OrderLine", 999999), "quantity": 1}]}

    payload = gql(CREATE, {"input": input}, user=customer)

    assert codes(payload["data"]["claimCreate"]) == [("lines", "NOT_FOUND")]
    assert nothing_claimed() == NOTHING


@pytest.mark.parametrize("quantity", [0, -1, 3])
def test_a_quantity_outside_one_to_what_was_bought_is_refused(gql, customer, quantity):
    order = shipped_order(customer, quantity=2)

    payload = gql(
        CREATE, {"input": claim_input(order, (order.lines.get(), quantity))}, user=customer
    )

    assert codes(payload["data"]["claimCreate"]) == [("lines", "INVALID_QUANTITY")]
    assert nothing_claimed() == NOTHING


def test_a_line_given_twice_counts_its_units_together(gql, customer):
    order = shipped_order(customer, quantity=2)
    line = order.lines.get()

    payload = gql(CREATE, {"input": claim_input(order, (line, 1), (line, 2))}, user=customer)

    assert codes(payload["data"]["claimCreate"]) == [("lines", "INVALID_QUANTITY")]
    assert nothing_claimed() == NOTHING


def test_units_already_claimed_cannot_be_claimed_again(gql, customer):
    order = shipped_order(customer, quantity=2)
    line = order.lines.get()
    first = open_claim(order, quantity=1)
    before = nothing_claimed()

    payload = gql(CREATE, {"input": claim_input(order, (line, 2))}, user=customer)

    assert codes(payload["data"]["claimCreate"]) == [("lines", "INVALID_QUANTITY")]
    assert nothing_claimed() == before
    assert list(models.ClaimLine.objects.values_list("claim_id", "quantity")) == [(first.pk, 1)]


def test_the_units_left_can_still_be_claimed(gql, customer):
    order = shipped_order(customer, quantity=2)
    line = order.lines.get()
    open_claim(order, quantity=1)

    payload = gql(CREATE, {"input": claim_input(order, (line, 1))}, user=customer)

    assert payload["data"]["claimCreate"]["errors"] == []
    assert sorted(models.ClaimLine.objects.values_list("quantity", flat=True)) == [1, 1]


def test_a_rejected_claim_frees_its_units(gql, customer, manager):
    order = shipped_order(customer, quantity=2)
    line = order.lines.get()
    rejected = open_claim(order, quantity=2)
    claims.claim_update_status(actor=manager, claim=rejected, status=models.Claim.Status.REJECTED)

    payload = gql(CREATE, {"input": claim_input(order, (line, 2))}, user=customer)

    assert payload["data"]["claimCreate"]["errors"] == []
    assert models.Claim.objects.filter(status="open").count() == 1


def test_a_claim_needs_a_description(gql, customer):
    order = shipped_order(customer)

    payload = gql(
        CREATE,
        {"input": claim_input(order, (order.lines.get(), 1), description="   \n ")},
        user=customer,
    )

    assert codes(payload["data"]["claimCreate"]) == [("description", "REQUIRED")]
    assert nothing_claimed() == NOTHING


# Photos.


def test_png_and_jpeg_photos_are_kept_privately_without_their_exif(client, customer, private_root):
    order = shipped_order(customer)
    png = SimpleUploadedFile(
        "jarra.png", image_bytes("PNG", exif=camera_exif()), content_type="image/png"
    )
    jpeg = SimpleUploadedFile(
        "caja.jpg", image_bytes("JPEG", (30, 20), exif=camera_exif()), content_type="image/jpeg"
    )

    result = create_with_photos(
        client, claim_input(order, (order.lines.get(), 1)), [png, jpeg], user=customer
    )

    assert result["errors"] == []
    assert [
        (
            message["body"],
            message["fromStaff"],
            [(p["width"], p["height"]) for p in message["photos"]],
        )
        for message in result["claim"]["messages"]
    ] == [("Una jarra llegó rota.", False, [(64, 48), (30, 20)])]
    stored = list(models.ClaimAttachment.objects.order_by("pk"))
    assert [(photo.content_type, photo.width, photo.height) for photo in stored] == [
        ("image/png", 64, 48),
        ("image/jpeg", 30, 20),
    ]
    assert files(private_root) == sorted(str(photo.image.name) for photo in stored)
    for photo in stored:
        path = private_root / photo.image.name
        assert path.stat().st_size == photo.size
        with Image.open(path) as image:
            assert (dict(image.getexif()), image.format, image.size) == (
                {},
                photo.content_type.split("/")[1].upper(),
                (photo.width, photo.height),
            )


def test_a_photo_turned_upright_reports_its_upright_size(client, customer, private_root):
    order = shipped_order(customer)
    sideways = SimpleUploadedFile(
        "movil.jpg", image_bytes("JPEG", (64, 48), exif=camera_exif(orientation=6))
    )

    result = create_with_photos(
        client, claim_input(order, (order.lines.get(), 1)), [sideways], user=customer
    )

    assert result["errors"] == []
    photo = models.ClaimAttachment.objects.get()
    with Image.open(private_root / photo.image.name) as image:
        assert (dict(image.getexif()), image.size) == ({}, (48, 64))
    assert (photo.width, photo.height) == (48, 64)
    shown = result["claim"]["messages"][0]["photos"][0]
    assert (shown["width"], shown["height"]) == (48, 64)


def test_a_webp_photo_is_accepted(client, customer, private_root):
    order = shipped_order(customer)
    webp = SimpleUploadedFile("jarra.webp", image_bytes("WEBP"), content_type="image/webp")

    result = create_with_photos(
        client, claim_input(order, (order.lines.get(), 1)), [webp], user=customer
    )

    assert result["errors"] == []
    photo = models.ClaimAttachment.objects.get()
    assert (photo.content_type, photo.width, photo.height) == ("image/webp", 64, 48)
    assert files(private_root) == [photo.image.name]
    assert photo.image.name.endswith(".webp")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notas.png", b"Esto no es una foto, es un texto.\n" * 10),
        ("animada.gif", image_bytes("GIF")),
        ("cortada.png", noisy_png()[:2000]),
    ],
    ids=["text renamed .png", "gif", "truncated png"],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_image_is_refused(
    client, customer, private_root, name, content
):
    order = shipped_order(customer)
    photos = [
        SimpleUploadedFile("buena.png", image_bytes("PNG")),
        SimpleUploadedFile(name, content),
    ]

    result = create_with_photos(
        client, claim_input(order, (order.lines.get(), 1)), photos, user=customer
    )

    assert result["claim"] is None
    assert codes(result) == [("photos", "INVALID_PHOTO")]
    assert nothing_claimed() == NOTHING
    assert files(private_root) == []


def test_more_photos_than_allowed_are_refused(client, customer, private_root, settings):
    settings.SHOP_CLAIM_MAX_PHOTOS = 2
    order = shipped_order(customer)
    photos = [SimpleUploadedFile(f"foto{n}.png", image_bytes("PNG")) for n in range(3)]

    result = create_with_photos(
        client, claim_input(order, (order.lines.get(), 1)), photos, user=customer
    )

    assert result["claim"] is None
    assert codes(result) == [("photos", "INVALID")]
    assert nothing_claimed() == NOTHING
    assert files(private_root) == []


def test_as_many_photos_as_allowed_are_accepted(client, customer, private_root, settings):
    settings.SHOP_CLAIM_MAX_PHOTOS = 2
    order = shipped_order(customer)
    photos = [SimpleUploadedFile(f"foto{n}.png", image_bytes("PNG")) for n in range(2)]

    result = create_with_photos(
        client, claim_input(order, (order.lines.get(), 1)), photos, user=customer
    )

    assert result["errors"] == []
    assert models.ClaimAttachment.objects.count() == 2
    assert len(files(private_root)) == 2


def test_a_photo_above_the_size_limit_is_refused(client, customer, private_root, settings):
    big = noisy_png()
    settings.SHOP_CLAIM_MAX_PHOTO_BYTES = len(big) - 1
    order = shipped_order(customer)

    result = create_with_photos(
        client,
        claim_input(order, (order.lines.get(), 1)),
        [SimpleUploadedFile("grande.png", big)],
        user=customer,
    )

    assert result["claim"] is None
    assert codes(result) == [("photos", "INVALID_PHOTO")]
    assert nothing_claimed() == NOTHING
    assert files(private_root) == []


def test_a_photo_at_the_size_limit_is_accepted(client, customer, private_root, settings):
    exact = noisy_png()
    settings.SHOP_CLAIM_MAX_PHOTO_BYTES = len(exact)
    order = shipped_order(customer)

    result = create_with_photos(
        client,
        claim_input(order, (order.lines.get(), 1)),
        [SimpleUploadedFile("justa.png", exact)],
        user=customer,
    )

    assert result["errors"] == []
    assert models.ClaimAttachment.objects.get().size == len(exact)


# The thread.


def test_a_message_on_a_resolved_claim_is_refused(gql, customer, manager):
    claim = open_claim(shipped_order(customer))
    claims.claim_resolve(actor=manager, claim=claim, resolution="none", message="Sin acción.")
    before = nothing_claimed()

    payload = gql(
        MESSAGE,
        {"input": {"claimId": gid("Claim", claim.pk), "body": "¿Y mi jarra?"}},
        user=customer,
    )

    assert codes(payload["data"]["claimMessageAdd"]) == [(None, "CLAIM_CLOSED")]
    assert nothing_claimed() == before


def test_a_message_can_carry_photos(client, customer, private_root):
    claim = open_claim(shipped_order(customer))
    input = {"claimId": gid("Claim", claim.pk), "body": "Otra foto de la caja.", "photos": [None]}
    operations = {"query": MESSAGE, "variables": {"input": input}}

    response = client.post(
        "/graphql/",
        data={
            "operations": orjson.dumps(operations).decode(),
            "map": orjson.dumps({"0": ["variables.input.photos.0"]}).decode(),
            "0": SimpleUploadedFile("caja.jpg", image_bytes("JPEG", (30, 20))),
        },
        headers={"Authorization": f"Bearer {create_token(customer, 'access')}"},
    )

    result = orjson.loads(response.content)["data"]["claimMessageAdd"]
    assert result["errors"] == []
    assert [
        (m["body"], m["fromStaff"], [(p["width"], p["height"]) for p in m["photos"]])
        for m in result["claim"]["messages"]
    ] == [("Otra foto de la caja.", False, [(30, 20)])]
    photo = models.ClaimAttachment.objects.get()
    assert (photo.message.claim, photo.content_type) == (claim, "image/jpeg")
    assert files(private_root) == [photo.image.name]


# Status.


def test_staff_review_then_resolve_a_claim(gql, customer, manager):
    claim = open_claim(shipped_order(customer))

    reviewed = update_status(gql, claim, manager, "IN_REVIEW", "Lo estamos revisando.")
    resolved = resolve(gql, claim, manager, resolution="NONE", message="No procede abono.")

    assert reviewed["errors"] == []
    assert (reviewed["claim"]["status"], reviewed["claim"]["messages"]) == (
        "IN_REVIEW",
        [{"body": "Lo estamos revisando.", "fromStaff": True}],
    )
    assert resolved["errors"] == []
    assert (resolved["claim"]["status"], resolved["claim"]["resolution"]) == ("RESOLVED", "NONE")
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.refund_amount, claim.replacement_order) == (
        "resolved",
        "none",
        None,
        None,
    )
    assert claim.resolved_at is not None


def test_a_rejected_claim_is_final(gql, customer, manager):
    claim = open_claim(shipped_order(customer))
    update_status(gql, claim, manager, "REJECTED", "Fuera de garantía.")
    before = nothing_claimed()

    to_review = update_status(gql, claim, manager, "IN_REVIEW")
    to_open = update_status(gql, claim, manager, "OPEN")
    resolved = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")
    answered = gql(
        MESSAGE,
        {"input": {"claimId": gid("Claim", claim.pk), "body": "No estoy de acuerdo."}},
        user=customer,
    )["data"]["claimMessageAdd"]

    assert codes(to_review) == [("status", "INVALID_TRANSITION")]
    assert codes(to_open) == [("status", "INVALID_TRANSITION")]
    assert codes(resolved) == [("status", "INVALID_TRANSITION")]
    assert codes(answered) == [(None, "CLAIM_CLOSED")]
    assert models.Claim.objects.get().status == "rejected"
    assert nothing_claimed() == before
    assert refunds() == []
    assert gateway.refunds == {}


def test_a_claim_cannot_go_back_to_open(gql, customer, manager):
    claim = open_claim(shipped_order(customer))
    update_status(gql, claim, manager, "IN_REVIEW")

    payload = update_status(gql, claim, manager, "OPEN")

    assert codes(payload) == [("status", "INVALID_TRANSITION")]
    assert models.Claim.objects.get().status == "in_review"


def test_resolved_cannot_be_set_as_a_plain_status(gql, customer, manager):
    claim = open_claim(shipped_order(customer))
    before = nothing_claimed()

    payload = update_status(gql, claim, manager, "RESOLVED", "Resuelto.")

    assert payload["claim"] is None
    assert codes(payload) == [("status", "INVALID_TRANSITION")]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.resolved_at) == ("open", "", None)
    assert nothing_claimed() == before


# Refunds.


def test_a_refund_is_paid_back_through_the_orders_payment(gql, customer, manager):
    order = shipped_order(customer)
    claim = open_claim(order)

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    assert payload["errors"] == []
    assert payload["claim"]["refundAmount"] == {"amount": "10.00"}
    assert refunds() == [(f"staff:claim-{claim.pk}-0:0", Decimal("10.00"), "success")]
    assert refunded_by_gateway() == {f"staff:claim-{claim.pk}-0:0": Decimal("10.00")}
    assert models.Claim.objects.get().refund_amount == Decimal("10.00")


def test_a_refund_above_what_is_left_after_an_order_refund_is_refused(gql, customer, manager):
    order = shipped_order(customer)  # 2 x 10.00 + 4.95 shipping
    services.order_refund(actor=manager, order=order, amount=Decimal("20.00"), idempotency_key="k1")
    claim = open_claim(order)
    before = nothing_claimed()

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="4.96")

    assert codes(payload) == [("refundAmount", "REFUND_EXCEEDS_PAYMENT")]
    claim.refresh_from_db()
    assert (claim.status, claim.refund_amount) == ("open", None)
    assert nothing_claimed() == before
    assert refunds() == [("staff:k1:0", Decimal("20.00"), "success")]
    assert refunded_by_gateway() == {"staff:k1:0": Decimal("20.00")}


def test_a_refund_of_exactly_what_is_left_is_paid(gql, customer, manager):
    order = shipped_order(customer)
    services.order_refund(actor=manager, order=order, amount=Decimal("20.00"), idempotency_key="k1")
    claim = open_claim(order)

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="4.95")

    assert payload["errors"] == []
    assert refunds() == [
        ("staff:k1:0", Decimal("20.00"), "success"),
        (f"staff:claim-{claim.pk}-0:0", Decimal("4.95"), "success"),
    ]


@pytest.mark.parametrize("amount", [None, "0.00", "-1.00", "1.005"])
def test_a_refund_needs_a_positive_amount_in_cents(gql, customer, manager, amount):
    claim = open_claim(shipped_order(customer))

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount=amount)

    assert codes(payload) == [("refundAmount", "INVALID")]
    assert models.Claim.objects.get().status == "open"
    assert refunds() == []
    assert gateway.refunds == {}


def test_resolving_twice_refunds_once(gql, customer, manager):
    claim = open_claim(shipped_order(customer))

    first = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")
    second = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    assert first["errors"] == []
    assert codes(second) == [("status", "INVALID_TRANSITION")]
    assert refunds() == [(f"staff:claim-{claim.pk}-0:0", Decimal("10.00"), "success")]
    assert refunded_by_gateway() == {f"staff:claim-{claim.pk}-0:0": Decimal("10.00")}
    assert models.ClaimEvent.objects.filter(type="resolved").count() == 1


def test_a_refund_the_gateway_cannot_make_leaves_the_claim_open(gql, customer, manager):
    claim = open_claim(shipped_order(customer))
    gateway.unavailable = True

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    assert codes(payload) == [(None, "REFUND_FAILED")]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.refund_amount) == ("open", "", None)
    assert gateway.refunds == {}
    assert models.ClaimMessage.objects.count() == 0


def test_a_claim_refund_works_when_the_gateway_is_back(gql, customer, manager):
    claim = open_claim(shipped_order(customer))
    gateway.unavailable = True
    resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")
    gateway.unavailable = False

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    assert payload["errors"] == []
    assert payload["claim"]["status"] == "RESOLVED"
    assert refunds() == [(f"staff:claim-{claim.pk}-0:0", Decimal("10.00"), "success")]
    assert refunded_by_gateway() == {f"staff:claim-{claim.pk}-0:0": Decimal("10.00")}


def refunded_outside_the_shop(order: models.Order, amount: str) -> None:
    """The provider already gave back ``amount`` (say, from its dashboard): a
    refund the ledger does not know of, so the provider declines the next one."""
    payment = order.payments.get()
    gateway.refunds[f"{payment.psp_reference}:dashboard"] = Decimal(amount)


def test_a_refund_the_provider_declines_leaves_the_claim_open(gql, customer, manager):
    order = shipped_order(customer)  # 24.95 charged
    claim = open_claim(order)
    refunded_outside_the_shop(order, "20.00")
    before = nothing_claimed()

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    assert codes(payload) == [(None, "REFUND_FAILED")]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.refund_amount) == ("open", "", None)
    assert nothing_claimed() == before
    assert refunded_by_gateway() == {}


def test_a_declined_claim_refund_can_be_retried_for_less(gql, customer, manager):
    order = shipped_order(customer)
    claim = open_claim(order)
    refunded_outside_the_shop(order, "20.00")
    resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    payload = resolve(gql, claim, manager, resolution="REFUND", refundAmount="4.95")

    assert payload["errors"] == []
    assert payload["claim"]["refundAmount"] == {"amount": "4.95"}
    # The refused attempt stays in the ledger; the new one has its own key.
    assert refunds() == [
        (f"staff:claim-{claim.pk}-0:0", Decimal("10.00"), "failed"),
        (f"staff:claim-{claim.pk}-1:0", Decimal("4.95"), "success"),
    ]
    assert refunded_by_gateway() == {f"staff:claim-{claim.pk}-1:0": Decimal("4.95")}


def test_a_declined_claim_refund_is_recorded_for_staff(gql, customer, manager):
    order = shipped_order(customer)
    claim = open_claim(order)
    refunded_outside_the_shop(order, "20.00")

    resolve(gql, claim, manager, resolution="REFUND", refundAmount="10.00")

    assert refunds() == [(f"staff:claim-{claim.pk}-0:0", Decimal("10.00"), "failed")]
    assert order.events.filter(type="refund_failed").count() == 1


# Replacements.


def test_a_replacement_is_a_new_zero_priced_order_with_the_claimed_units(gql, customer, manager):
    order = shipped_order(customer, quantity=3, stock=10)
    line = order.lines.get()
    claim = open_claim(order, quantity=2)
    stock = Stock.objects.get(variant=line.variant)
    allocated_before = stock.allocated

    payload = resolve(gql, claim, manager, resolution="REPLACEMENT", message="Le enviamos otra.")

    assert payload["errors"] == []
    replacement = models.Order.objects.exclude(pk=order.pk).get()
    assert payload["claim"]["replacementOrderNumber"] == replacement.number
    assert replacement.number == f"TA-{replacement.pk:06d}"
    assert (
        replacement.user,
        replacement.email,
        replacement.status,
        replacement.payment_method,
        replacement.total_gross,
        replacement.shipping_address,
    ) == (customer, order.email, "unfulfilled", "replacement", Decimal(0), order.shipping_address)
    assert list(
        replacement.lines.values_list(
            "variant_id", "sku", "quantity", "unit_price_gross", "total_gross", "total_tax"
        )
    ) == [(line.variant_id, line.sku, 2, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))]
    stock.refresh_from_db()
    assert stock.allocated == allocated_before + 2
    assert list(
        models.Allocation.objects.filter(line__order=replacement).values_list(
            "stock_id", "quantity"
        )
    ) == [(stock.pk, 2)]
    assert list(replacement.events.values_list("type", "actor_id")) == [("placed", manager.pk)]
    assert refunds() == []


def test_a_replacement_without_stock_leaves_the_claim_open(gql, customer, manager):
    order = shipped_order(customer, quantity=2, stock=2)
    claim = open_claim(order, quantity=1)
    stock_before = list(Stock.objects.values_list("pk", "quantity", "allocated"))
    before = nothing_claimed()

    payload = resolve(gql, claim, manager, resolution="REPLACEMENT", message="Le enviamos otra.")

    assert codes(payload) == [("lines", "INSUFFICIENT_STOCK")]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.replacement_order) == ("open", "", None)
    assert list(models.Order.objects.values_list("pk", flat=True)) == [order.pk]
    assert list(Stock.objects.values_list("pk", "quantity", "allocated")) == stock_before
    assert nothing_claimed() == before


def test_a_replacement_of_an_article_no_longer_sold_is_refused(gql, customer, manager):
    order = shipped_order(customer)
    claim = open_claim(order)
    order.lines.update(variant=None)
    before = nothing_claimed()

    payload = resolve(gql, claim, manager, resolution="REPLACEMENT", message="Le enviamos otra.")

    assert codes(payload) == [("lines", "INVALID_LINE")]
    assert models.Claim.objects.get().status == "open"
    assert list(models.Order.objects.values_list("pk", flat=True)) == [order.pk]
    assert nothing_claimed() == before


# History.


def test_every_change_is_recorded_with_its_actor(gql, customer, manager):
    order = shipped_order(customer)
    created = gql(CREATE, {"input": claim_input(order, (order.lines.get(), 1))}, user=customer)
    claim = models.Claim.objects.get()

    update_status(gql, claim, manager, "IN_REVIEW", "Lo revisamos.")
    gql(
        MESSAGE,
        {"input": {"claimId": gid("Claim", claim.pk), "body": "Adjunto el albarán."}},
        user=customer,
    )
    resolved = resolve(gql, claim, manager, resolution="NONE", message="Sin acción.")

    assert created["data"]["claimCreate"]["errors"] == []
    assert list(
        models.ClaimEvent.objects.order_by("pk").values_list("type", "actor_id", "message", "data")
    ) == [
        ("opened", customer.pk, "", {"reason": "damaged"}),
        ("status_changed", manager.pk, "Lo revisamos.", {"old": "open", "new": "in_review"}),
        ("message", customer.pk, "", {"from_staff": False}),
        ("status_changed", manager.pk, "", {"old": "in_review", "new": "resolved"}),
        ("resolved", manager.pk, "Sin acción.", {"resolution": "none"}),
    ]
    assert [
        (event["type"], event["actorEmail"], event["message"])
        for event in resolved["claim"]["events"]
    ] == [
        ("opened", "lucia@example.com", ""),
        ("status_changed", "gestor@example.com", "Lo revisamos."),
        ("message", "lucia@example.com", ""),
        ("status_changed", "gestor@example.com", ""),
        ("resolved", "gestor@example.com", "Sin acción."),
    ]
    assert [(m["body"], m["fromStaff"]) for m in resolved["claim"]["messages"]] == [
        ("Lo revisamos.", True),
        ("Adjunto el albarán.", False),
        ("Sin acción.", True),
    ]
