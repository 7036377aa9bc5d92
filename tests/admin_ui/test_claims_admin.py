"""Claims administration: the queue with ages and filters, the read-only claim
page with its thread, photos (served by an admin-only view) and history, and the
actions (answer, put in review, reject, resolve) for order managers only."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE
from django.core import mail
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from orders import services
from orders.models import (
    Claim,
    ClaimAttachment,
    ClaimEvent,
    ClaimMessage,
    Order,
    PaymentTransaction,
)
from orders.payments.memory import gateway
from orders.selectors import payment_balance
from orders.services import claims as claim_services
from shop.accounts.roles import CATALOGUE_MANAGER, ORDER_MANAGER
from tests.admin_ui.forms import messages_of
from tests.factories.audit import logged
from tests.factories.catalog import stock_of
from tests.factories.orders import place_order, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db
CLAIMS = "/admin/orders/claim/"
EN = {"Accept-Language": "en"}
NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path, monkeypatch):
    """Claim photos go to ``tmp_path``. The photo field took its storage when the
    model was defined, so it is pointed at the overridden one as well."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    monkeypatch.setattr(ClaimAttachment._meta.get_field("image"), "storage", storages["private"])
    return tmp_path


@pytest.fixture
def manager(client):
    user = staff_in_role(ORDER_MANAGER, email="pedidos@example.com")
    client.force_login(user)
    return user


@pytest.fixture
def variant():
    return stocked_variant(quantity=10, price="10.00")


def png(name="foto.png", color=(0, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def shipped_order(variant, *, email="lucia@example.com", quantity=3):
    """A guest's order of ``quantity`` units at 10.00 € (+ 4.95 € shipping), shipped."""
    order = place_order(lines=[(variant, quantity)], email=email)
    line = order.lines.get()
    services.order_fulfill(actor=None, order=order, quantities=[(line, quantity)], notify=False)
    return order


def open_claim(order, *, reason=Claim.Reason.DAMAGED, quantity=2, photos=()):
    return claim_services.claim_create(
        actor=None,
        order=order,
        reason=reason,
        description="Dos jarras llegaron rotas.",
        lines=[(order.lines.get(), quantity)],
        photos=list(photos),
    )


def opened_days_ago(claim, days):
    Claim.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - timedelta(days=days, hours=1)
    )


def refunds():
    rows = PaymentTransaction.objects.filter(kind=PaymentTransaction.Kind.REFUND).order_by("pk")
    return [(row.amount, row.status) for row in rows]


# The queue


def test_order_manager_lists_the_queue_oldest_open_first_with_ages(client, manager, variant):
    recent = open_claim(shipped_order(variant, email="ana@example.com"))
    closed = open_claim(shipped_order(variant, email="luis@example.com"))
    oldest = open_claim(shipped_order(variant, email="eva@example.com"))
    claim_services.claim_update_status(actor=manager, claim=recent, status=Claim.Status.IN_REVIEW)
    claim_services.claim_update_status(
        actor=manager, claim=closed, status=Claim.Status.REJECTED, message="No."
    )
    opened_days_ago(recent, 1)
    opened_days_ago(closed, 10)
    opened_days_ago(oldest, 3)

    response = client.get(CLAIMS, headers=EN)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [oldest, recent, closed]
    page = response.content.decode()
    assert f">{oldest.number}</a>" in page
    assert f'<td class="field-order_number">{oldest.order.number}</td>' in page
    assert '<td class="field-customer_email">eva@example.com</td>' in page
    assert '<td class="field-reason">Damaged item</td>' in page
    assert '<td class="field-status">Open</td>' in page
    assert '<td class="field-status">In review</td>' in page
    assert f'<td class="field-age">3{NBSP}days</td>' in page
    assert f'<td class="field-age">1{NBSP}day</td>' in page
    assert f'<td class="field-age">1{NBSP}week</td>' in page


def test_the_queue_sorts_by_age(client, manager, variant):
    first = open_claim(shipped_order(variant))
    second = open_claim(shipped_order(variant))
    opened_days_ago(first, 2)
    opened_days_ago(second, 5)

    def listed(query):
        return list(client.get(CLAIMS + query).context["cl"].result_list)

    assert listed("?o=5") == [second, first]
    assert listed("?o=-5") == [first, second]


def test_the_queue_filters_by_status_and_reason_and_searches(client, manager, variant):
    damaged = open_claim(shipped_order(variant, email="ana@example.com"))
    missing = open_claim(
        shipped_order(variant, email="luis@example.com"), reason=Claim.Reason.MISSING_ITEM
    )
    claim_services.claim_update_status(actor=manager, claim=missing, status=Claim.Status.IN_REVIEW)

    def numbers(query):
        return {claim.number for claim in client.get(CLAIMS + query).context["cl"].result_list}

    assert numbers("?status__exact=open") == {damaged.number}
    assert numbers("?status__exact=in_review") == {missing.number}
    assert numbers("?reason__exact=missing_item") == {missing.number}
    assert numbers("?reason__exact=damaged&status__exact=in_review") == set()
    assert numbers(f"?q={damaged.number}") == {damaged.number}
    assert numbers(f"?q={missing.order.number}") == {missing.number}
    assert numbers("?q=ana@example") == {damaged.number}


# The claim page


def test_claim_page_is_read_only_with_lines_thread_photos_and_history(client, manager, variant):
    order = shipped_order(variant)
    claim = open_claim(order, photos=[png("rota.png"), png("caja.png", (200, 0, 0))])
    claim_services.claim_message_add(
        actor=manager, claim=claim, body="¿Conserva la caja?", from_staff=True
    )
    photos = list(ClaimAttachment.objects.order_by("pk"))

    response = client.get(f"{CLAIMS}{claim.pk}/change/", headers=EN)

    assert response.status_code == 200
    page = response.content.decode()
    line = order.lines.get()
    assert line.product_name in page
    assert line.sku in page
    assert "Dos jarras llegaron rotas." in page
    assert "¿Conserva la caja?" in page
    assert "The shop (pedidos@example.com)" in page
    assert "The customer" in page
    for number, photo in enumerate(photos, start=1):
        url = f"{CLAIMS}{claim.pk}/photos/{photo.pk}/"
        thumbnail = f'<img src="{url}" alt="Photo {number}" width="40" height="30">'
        assert f'<a href="{url}">{thumbnail}</a>' in page
    assert "/claims/photos/" not in page  # never the customer's signed links
    assert "Claim opened" in page
    assert "Message" in page
    assert 'name="_save"' not in page
    assert 'name="description"' not in page
    for action in ("answer", "review", "reject", "resolve"):
        assert f'href="{CLAIMS}{claim.pk}/{action}/"' in page


def test_the_photo_view_streams_the_claims_photo(client, manager, variant, private_storage):
    claim = open_claim(shipped_order(variant), photos=[png()])
    photo = ClaimAttachment.objects.get()

    response = client.get(f"{CLAIMS}{claim.pk}/photos/{photo.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    stored = (private_storage / photo.image.name).read_bytes()
    assert b"".join(response.streaming_content) == stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_the_photo_view_answers_not_found_when_the_file_is_gone(
    client, manager, variant, private_storage, caplog
):
    claim = open_claim(shipped_order(variant), photos=[png()])
    photo = ClaimAttachment.objects.get()
    photo.image.storage.delete(photo.image.name)
    client.raise_request_exception = False

    with caplog.at_level(logging.INFO):
        response = client.get(f"{CLAIMS}{claim.pk}/photos/{photo.pk}/")

    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert response.status_code == 404
    assert errors == []
    assert ClaimAttachment.objects.filter(pk=photo.pk).exists()


def test_a_photo_is_found_only_under_its_own_claim(client, manager, variant):
    claim = open_claim(shipped_order(variant), photos=[png()])
    other = open_claim(shipped_order(variant))
    photo = ClaimAttachment.objects.get()

    assert client.get(f"{CLAIMS}{other.pk}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"{CLAIMS}{claim.pk}/photos/{photo.pk + 1}/").status_code == 404
    assert client.get(f"{CLAIMS}{claim.pk + 99}/photos/{photo.pk}/").status_code == 404


def test_posting_the_claim_page_changes_nothing(client, manager, variant):
    claim = open_claim(shipped_order(variant))

    response = client.post(f"{CLAIMS}{claim.pk}/change/", {"status": "resolved"})

    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.OPEN
    assert logged(claim) == []


def test_a_closed_claim_offers_no_action(client, manager, variant):
    claim = open_claim(shipped_order(variant))
    claim_services.claim_update_status(
        actor=manager, claim=claim, status=Claim.Status.REJECTED, message="No."
    )

    page = client.get(f"{CLAIMS}{claim.pk}/change/").content.decode()

    for action in ("answer", "review", "reject", "resolve"):
        assert f'href="{CLAIMS}{claim.pk}/{action}/"' not in page


# Actions


def test_order_manager_answers_a_claim_and_the_customer_is_emailed(
    client, manager, variant, django_capture_on_commit_callbacks
):
    order = shipped_order(variant)
    claim = open_claim(order)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{CLAIMS}{claim.pk}/answer/", {"message": "  ¿Nos envía una foto?  "}, headers=EN
        )

    assert response.status_code == 302
    assert response["Location"] == f"{CLAIMS}{claim.pk}/change/"
    assert messages_of(response) == [("success", "The answer was sent to the customer.")]
    message = ClaimMessage.objects.get(claim=claim)
    assert (message.body, message.author, message.from_staff) == (
        "¿Nos envía una foto?",
        manager,
        True,
    )
    event = claim.events.get(type=ClaimEvent.Type.MESSAGE)
    assert event.actor == manager
    assert logged(claim) == [("pedidos@example.com", CHANGE, "Answered: ¿Nos envía una foto?")]
    [email] = mail.outbox
    assert email.to == ["lucia@example.com"]
    assert "¿Nos envía una foto?" in email.body


def test_order_manager_puts_a_claim_in_review(client, manager, variant):
    claim = open_claim(shipped_order(variant))

    page = client.get(f"{CLAIMS}{claim.pk}/review/", headers=EN).content.decode()
    response = client.post(f"{CLAIMS}{claim.pk}/review/", headers=EN)

    assert "the customer is not e-mailed" in page
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW
    event = claim.events.get(type=ClaimEvent.Type.STATUS_CHANGED)
    assert (event.actor, event.data) == (manager, {"old": "open", "new": "in_review"})
    assert logged(claim) == [("pedidos@example.com", CHANGE, "Put in review.")]


def test_order_manager_rejects_a_claim_with_a_message(client, manager, variant):
    claim = open_claim(shipped_order(variant))

    response = client.post(
        f"{CLAIMS}{claim.pk}/reject/", {"message": "Las jarras salieron intactas."}, headers=EN
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    assert claim.resolved_at is not None
    assert list(claim.messages.values_list("body", "from_staff", "author")) == [
        ("Las jarras salieron intactas.", True, manager.pk)
    ]
    assert logged(claim) == [
        ("pedidos@example.com", CHANGE, "Rejected: Las jarras salieron intactas.")
    ]


def test_a_rejection_needs_a_message(client, manager, variant):
    claim = open_claim(shipped_order(variant))

    response = client.post(f"{CLAIMS}{claim.pk}/reject/", {"message": "  "})

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == Claim.Status.OPEN
    assert logged(claim) == []


def test_the_resolve_form_shows_what_is_refundable(client, manager, variant):
    order = shipped_order(variant)  # 3 x 10.00 + 4.95 paid
    claim = open_claim(order)
    services.order_refund(actor=manager, order=order, amount=Decimal("4.95"), idempotency_key="k")

    page = client.get(f"{CLAIMS}{claim.pk}/resolve/", headers=EN).content.decode()

    assert "at most 30.00 € (paid and not yet refunded)" in page
    assert 'name="resolution"' in page
    assert 'name="refund_amount"' in page


def test_a_resubmitted_resolve_form_refunds_once(client, manager, variant):
    order = shipped_order(variant)  # 34.95 paid
    claim = open_claim(order)
    form = {"resolution": "refund", "refund_amount": "12.50", "message": "Le devolvemos 12,50 €."}

    first = client.post(f"{CLAIMS}{claim.pk}/resolve/", form, headers=EN)
    client.get(first["Location"])
    again = client.post(f"{CLAIMS}{claim.pk}/resolve/", form, headers=EN)

    assert first.status_code == 302
    assert messages_of(first) == [("success", "Resolved with a refund of 12.50 €.")]
    assert again.status_code == 200
    assert messages_of(again) == [
        (
            "error",
            "A claim cannot go from \N{LEFT DOUBLE QUOTATION MARK}Resolved"
            "\N{RIGHT DOUBLE QUOTATION MARK} to \N{LEFT DOUBLE QUOTATION MARK}Resolved"
            "\N{RIGHT DOUBLE QUOTATION MARK}.",
        )
    ]
    assert refunds() == [(Decimal("12.50"), PaymentTransaction.Status.SUCCESS)]
    assert payment_balance(order).refunded == Decimal("12.50")
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.refund_amount) == (
        Claim.Status.RESOLVED,
        Claim.Resolution.REFUND,
        Decimal("12.50"),
    )
    assert claim.events.filter(type=ClaimEvent.Type.RESOLVED, actor=manager).count() == 1
    assert claim.messages.filter(from_staff=True).count() == 1
    assert logged(claim) == [
        ("pedidos@example.com", CHANGE, "Resolved with a refund of 12.50 €. Le devolvemos 12,50 €.")
    ]


def test_a_refund_needs_an_amount_within_what_is_refundable(client, manager, variant):
    order = shipped_order(variant)  # 34.95 paid
    claim = open_claim(order)

    without = client.post(
        f"{CLAIMS}{claim.pk}/resolve/", {"resolution": "refund", "message": "Ok."}, headers=EN
    )
    too_much = client.post(
        f"{CLAIMS}{claim.pk}/resolve/",
        {"resolution": "refund", "refund_amount": "34.96", "message": "Ok."},
        headers=EN,
    )

    assert messages_of(without) == [("error", "Enter the amount to refund.")]
    assert messages_of(too_much) == [
        ("error", "The refund exceeds what was paid and not yet refunded.")
    ]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution) == (Claim.Status.OPEN, "")
    assert not claim.events.exclude(type=ClaimEvent.Type.OPENED).exists()
    assert refunds() == []
    assert logged(claim) == []


def test_a_refund_the_gateway_cannot_make_is_kept_and_retried_once(client, manager, variant):
    order = shipped_order(variant)
    claim = open_claim(order)
    form = {"resolution": "refund", "refund_amount": "10.00", "message": "Le devolvemos 10 €."}
    gateway.unavailable = True

    refused = client.post(f"{CLAIMS}{claim.pk}/resolve/", form, headers=EN)

    assert refused.status_code == 200
    assert [level for level, _text in messages_of(refused)] == ["error"]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution) == (Claim.Status.OPEN, "")
    assert len(refunds()) == 1  # the attempt stays in the ledger
    assert logged(claim) == []

    gateway.unavailable = False
    retried = client.post(f"{CLAIMS}{claim.pk}/resolve/", form, headers=EN)

    assert retried.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.refund_amount) == (Claim.Status.RESOLVED, Decimal("10.00"))
    assert payment_balance(order).refunded == Decimal("10.00")
    assert gateway.refunded(order.payments.get().psp_reference) == Decimal("10.00")
    assert len(logged(claim)) == 1


def test_order_manager_resolves_a_claim_with_a_replacement(client, manager, variant):
    order = shipped_order(variant)
    claim = open_claim(order, quantity=2)
    assert stock_of(variant) == (7, 0)

    response = client.post(
        f"{CLAIMS}{claim.pk}/resolve/",
        {"resolution": "replacement", "refund_amount": "", "message": "Le enviamos dos nuevas."},
        headers=EN,
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    replacement = claim.replacement_order
    assert (claim.status, claim.resolution) == (Claim.Status.RESOLVED, Claim.Resolution.REPLACEMENT)
    assert messages_of(response) == [
        ("success", f"Resolved with the replacement order {replacement.number}.")
    ]
    assert Order.objects.count() == 2
    assert (replacement.email, replacement.total_gross) == ("lucia@example.com", Decimal("0.00"))
    [line] = replacement.lines.all()
    assert (line.variant, line.quantity, line.unit_price_gross, line.total_gross) == (
        variant,
        2,
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert stock_of(variant) == (7, 2)
    assert refunds() == []
    assert logged(claim) == [
        (
            "pedidos@example.com",
            CHANGE,
            f"Resolved with the replacement order {replacement.number}. Le enviamos dos nuevas.",
        )
    ]


def test_order_manager_resolves_a_claim_with_no_action(client, manager, variant):
    claim = open_claim(shipped_order(variant))

    response = client.post(
        f"{CLAIMS}{claim.pk}/resolve/",
        {"resolution": "none", "message": "Hablado por teléfono."},
        headers=EN,
    )

    assert messages_of(response) == [("success", "Resolved with no action.")]
    claim.refresh_from_db()
    assert (claim.status, claim.resolution) == (Claim.Status.RESOLVED, Claim.Resolution.NONE)
    assert refunds() == []
    assert Order.objects.count() == 1


# Who may


@pytest.mark.parametrize(
    "page", ["", "change/", "answer/", "review/", "reject/", "resolve/", "photos/"]
)
def test_catalogue_manager_cannot_see_claim_pages(client, variant, page):
    claim = open_claim(shipped_order(variant), photos=[png()])
    client.force_login(staff_in_role(CATALOGUE_MANAGER))
    if page == "photos/":
        page = f"photos/{ClaimAttachment.objects.get().pk}/"

    url = f"{CLAIMS}{claim.pk}/{page}" if page else CLAIMS
    assert client.get(url).status_code == 403


def test_catalogue_manager_posting_the_actions_changes_nothing(client, variant):
    order = shipped_order(variant)
    claim = open_claim(order)
    client.force_login(staff_in_role(CATALOGUE_MANAGER))
    posts = {
        "answer": {"message": "Hola"},
        "review": {},
        "reject": {"message": "No"},
        "resolve": {"resolution": "refund", "refund_amount": "10.00", "message": "Ok"},
    }

    for action, data in posts.items():
        assert client.post(f"{CLAIMS}{claim.pk}/{action}/", data).status_code == 403

    claim.refresh_from_db()
    assert (claim.status, claim.resolution) == (Claim.Status.OPEN, "")
    assert not claim.messages.exists()
    assert list(claim.events.values_list("type", flat=True)) == [ClaimEvent.Type.OPENED]
    assert refunds() == []
    assert logged(claim) == []


def test_actions_are_refused_without_the_csrf_token(manager, variant):
    claim = open_claim(shipped_order(variant))
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post(f"{CLAIMS}{claim.pk}/answer/", {"message": "Hola"})

    assert response.status_code == 403
    assert not claim.messages.exists()
    assert logged(claim) == []
