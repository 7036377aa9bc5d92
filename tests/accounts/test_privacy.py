"""Account deletion and data export (RGPD arts. 15, 17 and 20) through /graphql/."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from invoicing.models import Invoice
from orders import services
from orders.models import Checkout, Claim, ClaimAttachment, ClaimMessage, Order, Payment
from orders.payments.memory import gateway
from orders.services import claims as claim_services
from shop.accounts import privacy
from shop.accounts.models import Address, Consent, User
from shop.accounts.roles import ORDER_MANAGER
from shop.accounts.tokens import create_token
from tests.accounts.utils import bearer
from tests.factories import AddressFactory, StaffFactory, UserFactory
from tests.factories.invoicing import METHODS, card_order
from tests.factories.orders import ready_checkout, staff_in_role, stocked_variant
from tests.operations import operation
from tests.orders.test_claims_authz import png_bytes

pytestmark = pytest.mark.django_db

REDIRECT = "http://127.0.0.1:8000/storefront/#/account/delete"
PLACEHOLDER = re.compile(r"^deleted-[0-9a-f]{32}@deleted\.invalid$")
BUYER = {"tax_id": "B12345674", "company_name": "Fontanería Martín, S.L."}


@pytest.fixture(autouse=True)
def _methods(settings: Any) -> None:
    settings.SHOP_PAYMENT_METHODS = METHODS
    settings.SHOP_STOREFRONT_URL = "http://127.0.0.1:8000/storefront/"
    settings.PORTAL_ORIGINS = ["https://oficina.example"]
    gateway.reset()


def shipped(order: Order, staff: User) -> Order:
    services.order_fulfill(
        actor=staff, order=order, quantities=[(line, line.quantity) for line in order.lines.all()]
    )
    order.refresh_from_db()
    return order


def closed_claim(order: Order, staff: User) -> Claim:
    """A claim on ``order`` with a customer photo and a staff answer, rejected."""
    line = order.lines.first()
    claim = claim_services.claim_create(
        actor=order.user,
        order=order,
        reason=Claim.Reason.DAMAGED,
        description="La jarra llegó rota, llamadme al 600 123 456.",
        lines=[(line, 1)],
        photos=[SimpleUploadedFile("jarra.png", png_bytes(), content_type="image/png")],
    )
    claim_services.claim_message_add(
        actor=staff, claim=claim, body="Hola Lucía, lo revisamos.", from_staff=True
    )
    claim_services.claim_transition(claim=claim, to=Claim.Status.REJECTED, actor=staff)
    return claim


@pytest.fixture
def world() -> dict[str, Any]:
    """A customer with two addresses, a saved cart, a contract link, an order
    invoiced F1 (tax id) and one invoiced F2, both shipped, a closed claim."""
    staff = staff_in_role(ORDER_MANAGER)
    user = UserFactory(email="lucia@example.com", first_name="Lucía", last_name="Martín")
    AddressFactory(user=user, phone="+34 600 123 456")
    AddressFactory(user=user)
    full = shipped(card_order(user=user, **BUYER), staff)
    simple = shipped(card_order(user=user), staff)
    claim = closed_claim(full, staff)
    ready_checkout(user=user)
    contract = SupplyContract.objects.create(
        number="100200300",
        holder_name="Lucía Martín",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=timezone.localdate() + timedelta(days=20),
    )
    ContractLink.objects.create(user=user, contract=contract, source=ContractLink.Source.VERIFIED)
    Consent.objects.create(
        user=user,
        email=user.email,
        context=Consent.Context.CHECKOUT,
        reference=full.number,
        document="terms_of_sale",
        version=timezone.now() - timedelta(days=30),
        digest="c" * 64,
    )
    return {"user": user, "staff": staff, "full": full, "simple": simple, "claim": claim}


def request_deletion(gql, user: User, redirect_url: str = REDIRECT) -> dict[str, Any]:
    body = gql(
        operation("storefront/AccountRequestDeletion"),
        {"redirectUrl": redirect_url},
        headers=bearer(create_token(user, "access")),
    )
    return body["data"]["accountRequestDeletion"]


def mailed_token() -> str:
    (message,) = mail.outbox
    link = re.search(r"http\S+", message.body).group(0)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}#{parts.fragment}" == REDIRECT
    return parse_qs(parts.query)["token"][0]


def delete(gql, user: User, token: str) -> dict[str, Any]:
    body = gql(
        operation("storefront/AccountDelete"),
        {"token": token},
        headers=bearer(create_token(user, "access")),
    )
    return body["data"]["accountDelete"]


def order_figures(order: Order) -> tuple[Any, ...]:
    order = Order.objects.get(pk=order.pk)
    lines = list(order.lines.values_list("sku", "quantity", "unit_price_gross", "total_gross"))
    return (
        order.number,
        order.status,
        order.subtotal_gross,
        order.shipping_gross,
        order.total_gross,
        order.total_tax,
        order.tax_by_rate,
        lines,
    )


def invoice_rows() -> list[dict[str, Any]]:
    return list(Invoice.objects.order_by("pk").values())


def everything() -> dict[str, list[dict[str, Any]]]:
    """Every row a deletion may touch, to prove a refusal touched none."""
    return {
        "users": list(User.objects.order_by("pk").values()),
        "addresses": list(Address.objects.order_by("pk").values()),
        "checkouts": list(Checkout.objects.order_by("pk").values()),
        "orders": list(Order.objects.order_by("pk").values()),
        "claims": list(Claim.objects.order_by("pk").values()),
        "messages": list(ClaimMessage.objects.order_by("pk").values()),
        "photos": list(ClaimAttachment.objects.order_by("pk").values()),
        "links": list(ContractLink.objects.order_by("pk").values()),
        "charges": list(BillCharge.objects.order_by("pk").values()),
        "invoices": invoice_rows(),
        "consents": list(Consent.objects.order_by("pk").values()),
        "history": list(LogEntry.objects.order_by("pk").values("object_repr", "change_message")),
    }


def test_the_deletion_link_is_mailed_on_the_storefront_with_a_token_of_the_user(
    gql, world, django_capture_on_commit_callbacks
):
    user = world["user"]

    with django_capture_on_commit_callbacks(execute=True):
        assert request_deletion(gql, user) == {"errors": []}

    (message,) = mail.outbox
    assert message.to == ["lucia@example.com"]
    token = mailed_token()
    assert privacy.deletion_tokens.check_token(User.objects.get(pk=user.pk), token)
    assert not default_token_generator.check_token(user, token)
    assert list(
        LogEntry.objects.filter(object_id=str(user.pk)).values_list("user_id", "change_message")
    ) == [(user.pk, "Account deletion requested.")]


def test_deletion_leaves_no_personal_field_and_keeps_orders_and_invoices_exactly(
    gql, world, django_capture_on_commit_callbacks
):
    user, full, simple, claim = world["user"], world["full"], world["simple"], world["claim"]
    figures = {order.pk: order_figures(order) for order in (full, simple)}
    invoices_before = invoice_rows()
    assert [row["kind"] for row in invoices_before] == ["F1", "F2"]
    photo = ClaimAttachment.objects.get(message__claim=claim)
    photo_name = photo.image.name
    assert storages["private"].exists(photo_name)
    with django_capture_on_commit_callbacks(execute=True):
        request_deletion(gql, user)
    token = mailed_token()
    old_access = create_token(user, "access")

    with django_capture_on_commit_callbacks(execute=True):
        assert delete(gql, user, token) == {"deleted": True, "errors": []}

    user = User.objects.get(pk=user.pk)
    placeholder = user.email
    assert PLACEHOLDER.match(placeholder)
    assert (user.first_name, user.last_name, user.portal_subject) == ("", "", None)
    assert (user.is_active, user.has_usable_password(), user.last_login) == (False, False, None)
    assert list(user.groups.all()) == []
    assert list(user.user_permissions.all()) == []
    assert Address.objects.filter(user=user).count() == 0
    assert Address.objects.count() == 0
    assert Checkout.objects.filter(user=user).count() == 0
    assert ContractLink.objects.filter(user=user).count() == 0
    assert SupplyContract.objects.filter(
        number="100200300"
    ).exists()  # the utility's, not the person's
    # Claims: outcome kept, the person's words and photos gone.
    assert list(Claim.objects.values("pk", "user", "description", "status", "reason")) == [
        {
            "pk": claim.pk,
            "user": None,
            "description": "",
            "status": Claim.Status.REJECTED,
            "reason": Claim.Reason.DAMAGED,
        }
    ]
    assert ClaimMessage.objects.count() == 0
    assert ClaimAttachment.objects.count() == 0
    assert not storages["private"].exists(photo_name)
    # Orders: detached, totals unchanged; the F1 recipient kept (without the phone).
    for order in (full, simple):
        assert order_figures(order) == figures[order.pk]
    full_after = Order.objects.get(pk=full.pk)
    assert (full_after.user_id, full_after.email, full_after.customer_note) == (
        None,
        placeholder,
        "",
    )
    assert full_after.billing_address == {
        "first_name": "Lucía",
        "last_name": "Martín",
        "company_name": "Fontanería Martín, S.L.",
        "street_address_1": "Calle Sierpes 12",
        "street_address_2": "",
        "postal_code": "41004",
        "city": "Sevilla",
        "province": "Sevilla",
        "country": "ES",
        "tax_id": "B12345674",
    }
    assert full_after.shipping_address == {"country": "ES", "province": "Sevilla"}
    simple_after = Order.objects.get(pk=simple.pk)
    assert (simple_after.user_id, simple_after.email) == (None, placeholder)
    assert simple_after.billing_address == {"country": "ES", "province": "Sevilla"}
    assert simple_after.shipping_address == {"country": "ES", "province": "Sevilla"}
    # Invoices are immutable and stay exactly as issued.
    assert invoice_rows() == invoices_before
    # Nobody acts as the person any more.
    me = gql("{ me { email } }", headers=bearer(old_access))
    assert me["data"] is None or me["data"]["me"] is None
    assert me.get("errors")
    # The history names the account by its placeholder only.
    history = LogEntry.objects.filter(object_id=str(user.pk)).order_by("pk")
    assert list(history.values_list("user_id", "object_repr", "change_message")) == [
        (user.pk, placeholder, "Account deletion requested."),
        (user.pk, placeholder, "Account deleted."),
    ]
    assert not LogEntry.objects.filter(object_repr__icontains="lucia@example.com").exists()


def refusal(gql, user: User) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers to a deletion request and to a deletion with a valid token."""
    token = privacy.deletion_tokens.make_token(User.objects.get(pk=user.pk))
    return request_deletion(gql, user), delete(gql, user, token)


def only_error(code: str, message: str, field: str | None = None) -> list[dict[str, Any]]:
    return [{"field": field, "code": code, "message": message}]


def test_an_open_claim_refuses_the_deletion_and_changes_nothing(gql, world):
    user = world["user"]
    claim_services.claim_create(
        actor=user,
        order=world["simple"],
        reason=Claim.Reason.MISSING_ITEM,
        description="Falta una jarra.",
        lines=[(world["simple"].lines.first(), 1)],
    )
    before = everything()

    asked, deleted = refusal(gql, user)

    message = "You have open claims. Your account can be deleted once they are resolved."
    assert asked == {"errors": only_error("OPEN_CLAIMS", message)}
    assert deleted == {"deleted": False, "errors": only_error("OPEN_CLAIMS", message)}
    assert everything() == before
    assert mail.outbox == []


def test_an_order_not_shipped_refuses_the_deletion_and_changes_nothing(gql, world):
    user = world["user"]
    card_order(user=user)
    before = everything()

    asked, deleted = refusal(gql, user)

    message = "You have orders not shipped yet. Your account can be deleted once they are."
    assert asked == {"errors": only_error("ORDERS_IN_PROGRESS", message)}
    assert deleted == {"deleted": False, "errors": only_error("ORDERS_IN_PROGRESS", message)}
    assert everything() == before


def test_unsettled_water_bill_installments_refuse_the_deletion_and_change_nothing(gql, world):
    user, staff = world["user"], world["staff"]
    checkout = ready_checkout(lines=[(stocked_variant(price="10.00"), 2)], user=user)
    services.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": "100200300", "installments": 3},
    )
    shipped(services.checkout_complete(checkout=checkout, actor=user), staff)
    assert list(BillCharge.objects.values_list("status", flat=True)) == ["pending"] * 3
    before = everything()

    asked, deleted = refusal(gql, user)

    message = (
        "Charges to your water bill are still to be settled. Your account can be deleted "
        "once they are."
    )
    assert asked == {"errors": only_error("UNSETTLED_BILL_CHARGES", message)}
    assert deleted == {"deleted": False, "errors": only_error("UNSETTLED_BILL_CHARGES", message)}
    assert everything() == before
    # Settled, they no longer stand in the way; the charges stay, on the contract.
    BillCharge.objects.update(status=BillCharge.Status.SETTLED)
    token = privacy.deletion_tokens.make_token(User.objects.get(pk=user.pk))
    assert delete(gql, user, token) == {"deleted": True, "errors": []}
    assert sorted(BillCharge.objects.values_list("amount", flat=True)) == [
        Decimal("8.31"),
        Decimal("8.32"),
        Decimal("8.32"),
    ]


def test_a_staff_account_is_never_deleted_by_its_holder(gql):
    staff = StaffFactory()
    before = everything()

    asked, deleted = refusal(gql, staff)

    message = "Staff accounts are closed by an administrator."
    assert asked == {"errors": only_error("STAFF_ACCOUNT", message)}
    assert deleted == {"deleted": False, "errors": only_error("STAFF_ACCOUNT", message)}
    assert everything() == before


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "abc-def",
        default_token_generator.make_token,  # a password reset token of the same user
        "expired",
    ],
)
def test_a_wrong_or_expired_token_refuses_the_deletion_and_changes_nothing(
    gql, world, token, monkeypatch
):
    user = User.objects.get(pk=world["user"].pk)
    if callable(token):
        token = token(user)
    elif token == "expired":
        token = privacy.deletion_tokens.make_token(user)
        later = datetime.now() + timedelta(seconds=3601)  # the generator's clock: naive local
        monkeypatch.setattr(privacy.deletion_tokens, "_now", lambda: later)
    before = everything()

    answer = delete(gql, user, token)

    message = "The link is invalid or has expired. Ask for a new one."
    assert answer == {"deleted": False, "errors": only_error("INVALID_TOKEN", message, "token")}
    assert everything() == before


def test_a_token_is_void_once_used(gql, world):
    user = User.objects.get(pk=world["user"].pk)
    token = privacy.deletion_tokens.make_token(user)
    assert delete(gql, user, token) == {"deleted": True, "errors": []}

    assert not privacy.deletion_tokens.check_token(User.objects.get(pk=user.pk), token)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/storefront/#/account/delete",
        "http://127.0.0.1:8000.evil.example/storefront/",
        "javascript:alert(1)",
        "/storefront/#/account/delete",
    ],
)
def test_a_link_off_the_storefront_origins_is_refused_and_nothing_is_sent(
    gql, world, url, django_capture_on_commit_callbacks
):
    before = everything()

    with django_capture_on_commit_callbacks(execute=True):
        answer = request_deletion(gql, world["user"], url)

    message = "This URL is not one of the shop's."
    assert answer == {"errors": only_error("INVALID_REDIRECT_URL", message, "redirectUrl")}
    assert mail.outbox == []
    assert everything() == before


def test_a_portal_origin_may_receive_the_link(gql, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = request_deletion(gql, world["user"], "https://oficina.example/tienda?x=1")

    assert answer == {"errors": []}
    (message,) = mail.outbox
    assert "https://oficina.example/tienda?x=1&token=" in message.body


def test_a_portal_customer_loses_the_portal_identity_and_contract_links(gql, world):
    user = world["user"]
    User.objects.filter(pk=user.pk).update(portal_subject="portal-42")
    user = User.objects.get(pk=user.pk)

    assert delete(gql, user, privacy.deletion_tokens.make_token(user))["deleted"] is True

    assert User.objects.filter(portal_subject="portal-42").exists() is False
    assert ContractLink.objects.count() == 0


def test_deletion_and_export_need_a_signed_in_customer(gql):
    for document, variables in (
        ("storefront/AccountRequestDeletion", {"redirectUrl": REDIRECT}),
        ("storefront/AccountDelete", {"token": "x"}),
        ("storefront/AccountDataExport", {}),
    ):
        body = gql(operation(document), variables)
        assert body["data"] is None
        assert [error["message"] for error in body["errors"]] == ["You need to sign in to do this."]


def test_the_export_holds_the_customers_data_exactly(gql, world, django_assert_num_queries):
    user, full, simple, claim = world["user"], world["full"], world["simple"], world["claim"]
    headers = bearer(create_token(user, "access"))

    body = gql(operation("storefront/AccountDataExport"), headers=headers)

    payload = body["data"]["accountDataExport"]
    assert payload["errors"] == []
    assert payload["fileName"] == f"account-data-{timezone.localdate().isoformat()}.json"
    data = payload["data"]
    exported_at = data.pop("exportedAt")
    assert abs(datetime.fromisoformat(exported_at) - timezone.now()) < timedelta(minutes=1)
    user.refresh_from_db()
    addresses = list(Address.objects.filter(user=user).order_by("pk"))
    invoices = {invoice.order_id: invoice for invoice in Invoice.objects.all()}
    message = ClaimMessage.objects.get(claim=claim, from_staff=False)
    answer = ClaimMessage.objects.get(claim=claim, from_staff=True)
    consent = Consent.objects.get()
    claim.refresh_from_db()

    def order_data(order: Order, billing: dict[str, str]) -> dict[str, Any]:
        line = order.lines.get()
        return {
            "number": order.number,
            "placedAt": order.created_at.isoformat(),
            "status": "fulfilled",
            "email": "lucia@example.com",
            "paymentMethod": "card",
            "shippingMethod": order.shipping_method_name,
            "shippingAddress": SHIPPING,
            "billingAddress": billing,
            "pickupPoint": None,
            "customerNote": "",
            "currency": "EUR",
            "subtotal": "12.10",
            "shipping": f"{order.shipping_gross:.2f}",
            "total": f"{order.total_gross:.2f}",
            "tax": f"{order.total_tax:.2f}",
            "lines": [
                {
                    "product": line.product_name,
                    "variant": line.variant_name,
                    "sku": line.sku,
                    "quantity": 1,
                    "unitPrice": "12.10",
                    "taxRate": "0.21",
                    "total": "12.10",
                }
            ],
        }

    def invoice_data(invoice: Invoice, order: Order) -> dict[str, Any]:
        return {
            "number": invoice.full_number,
            "kind": invoice.kind,
            "order": order.number,
            "issuedAt": invoice.issued_at.isoformat(),
            "recipientTaxId": invoice.recipient_tax_id,
            "recipientName": invoice.recipient_name,
            "taxBase": f"{invoice.total_net:.2f}",
            "tax": f"{invoice.total_tax:.2f}",
            "total": f"{invoice.total_gross:.2f}",
        }

    assert data == {
        "format": "water-shop/account-export/1",
        "profile": {
            "email": "lucia@example.com",
            "firstName": "Lucía",
            "lastName": "Martín",
            "languageCode": "es",
            "dateJoined": user.date_joined.isoformat(),
            "lastLogin": None,
            "signsInThroughPortal": False,
        },
        "addresses": [
            {
                "firstName": "Lucía",
                "lastName": "García",
                "companyName": "",
                "streetAddress1": address.street_address_1,
                "streetAddress2": "",
                "postalCode": "41001",
                "city": "Sevilla",
                "province": "Sevilla",
                "country": "ES",
                "phone": phone,
                "isDefaultShipping": False,
                "isDefaultBilling": False,
            }
            for address, phone in zip(addresses, ["+34 600 123 456", ""], strict=True)
        ],
        "orders": [
            order_data(full, {**SHIPPING_FULL, **BUYER}),
            order_data(simple, SHIPPING_FULL),
        ],
        "claims": [
            {
                "number": claim.number,
                "order": full.number,
                "reason": "damaged",
                "description": "La jarra llegó rota, llamadme al 600 123 456.",
                "status": "rejected",
                "resolution": "",
                "refundAmount": None,
                "openedAt": claim.created_at.isoformat(),
                "closedAt": claim.resolved_at.isoformat(),
                "messages": [
                    {
                        "fromShop": False,
                        "body": message.body,
                        "sentAt": message.created_at.isoformat(),
                        "photos": 1,
                    },
                    {
                        "fromShop": True,
                        "body": "Hola Lucía, lo revisamos.",
                        "sentAt": answer.created_at.isoformat(),
                        "photos": 0,
                    },
                ],
            }
        ],
        "invoices": [
            invoice_data(invoices[full.pk], full),
            invoice_data(invoices[simple.pk], simple),
        ],
        "consents": [
            {
                "legalText": "terms_of_sale",
                "version": consent.version.isoformat(),
                "textDigest": "c" * 64,
                "acceptedAt": consent.accepted_at.isoformat(),
                "where": "checkout",
                "order": full.number,
            }
        ],
        "waterContracts": [
            {
                "number": "100200300",
                "holderName": "Lucía Martín",
                "supplyAddress": "Calle Betis 12, Sevilla",
                "postalCode": "41010",
                "linkedAt": ContractLink.objects.get().created_at.isoformat(),
                "linkedBy": "verified",
            }
        ],
    }
    assert (invoices[full.pk].kind, invoices[full.pk].recipient_tax_id) == ("F1", "B12345674")
    assert (
        LogEntry.objects.filter(
            user=user, object_id=str(user.pk), change_message="Personal data exported."
        ).count()
        == 1
    )


def test_the_export_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    user = world["user"]
    # A process reads the history entry's content type once and keeps it: warm
    # that cache here, so the count does not depend on which test ran before.
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_model(User)
    # The user's orders, their lines, their invoices; claims (with their orders),
    # messages, photos; addresses; consents; contract links (with contracts); the
    # history entry.
    with django_assert_num_queries(10):
        privacy.account_data_export(actor=user)
    card_order(user=user)
    with django_assert_num_queries(10):
        privacy.account_data_export(actor=user)


SHIPPING = {
    "first_name": "Lucía",
    "last_name": "Martín",
    "company_name": "",
    "street_address_1": "Calle Sierpes 12",
    "street_address_2": "",
    "postal_code": "41004",
    "city": "Sevilla",
    "province": "Sevilla",
    "country": "ES",
    "phone": "+34 600 123 456",
}
SHIPPING_FULL = SHIPPING


def test_deletion_keeps_the_consents_as_proof_without_naming_the_person(
    gql, world, django_capture_on_commit_callbacks
):
    # given: what the customer accepted, and a guest's acceptance with the same address
    user, full = world["user"], world["full"]
    now = timezone.now()
    proof = {
        "document": "terms_of_sale",
        "version": now - timedelta(days=30),
        "digest": "a" * 64,
        "accepted_at": now - timedelta(days=3),
    }
    Consent.objects.create(user=user, email=user.email, context="registration", **proof)
    Consent.objects.create(
        user=user, email=user.email, context="checkout", reference=full.number, **proof
    )
    guest = Consent.objects.create(
        user=None, email=user.email, context="checkout", reference="TA-999999", **proof
    )
    kept = ("context", "reference", "document", "version", "digest", "accepted_at")
    before = list(Consent.objects.exclude(pk=guest.pk).order_by("pk").values(*kept))
    with django_capture_on_commit_callbacks(execute=True):
        request_deletion(gql, user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert delete(gql, user, mailed_token()) == {"deleted": True, "errors": []}

    # then: the proof stays, under the placeholder its orders carry
    placeholder = User.objects.get(pk=user.pk).email
    ours = Consent.objects.exclude(pk=guest.pk).order_by("pk")
    assert list(ours.values(*kept)) == before
    assert set(ours.values_list("user_id", "email")) == {(None, placeholder)}
    assert Order.objects.get(pk=full.pk).email == placeholder
    # A guest's acceptance is not the account's (never attached by its address).
    assert Consent.objects.filter(pk=guest.pk, email="lucia@example.com").exists()


def test_a_payment_taken_for_the_cart_refuses_the_deletion_and_changes_nothing(gql, world):
    # given: the saved cart paid (charged) but not yet an order
    user = world["user"]
    checkout = Checkout.objects.get(user=user)
    checkout.email = user.email
    checkout.save(update_fields=["email"])
    payment, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    payment.status = Payment.Status.CHARGED
    payment.save(update_fields=["status"])
    token = privacy.deletion_tokens.make_token(user)
    state = everything()

    # when
    payload = delete(gql, user, token)

    # then
    assert payload["deleted"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "PAYMENT_IN_PROGRESS")]
    assert everything() == state
