"""The customer's rights over their data (RGPD): erasure (art. 17) and access and
portability (arts. 15 and 20).

**Deletion** is two steps: ``account_deletion_request`` e-mails a one-time link
(a :class:`AccountDeletionTokenGenerator` token) to the signed-in customer;
``account_delete`` with that token, still signed in, erases or anonymises their
personal data. The user row stays, anonymised and deactivated, because the
history (``LogEntry``, order, claim and billing events) names its actor by it;
nothing left on it identifies the person.

What is kept, and why. Spanish tax law makes the seller keep invoices and the
records behind them while the tax authority may still assess them -- four years
(Ley 58/2003 General Tributaria, arts. 66 and 70; Real Decreto 1619/2012, art.
19) -- and the Código de Comercio (art. 30) keeps accounting documents six
years. So orders (lines, totals, payments), invoices and bill charges stay for
six years, detached from the person: no link to the user, the e-mail replaced
by the account's placeholder, names, streets, phones and notes blanked. An
order's billing address that carries a tax id is the exception: the full (F1)
invoice must name its recipient (RD 1619/2012, art. 6.1), invoices stay
immutable, and the order's later invoices (a further delivery, a rectificativa
after a refund) copy the recipient from that address; it stays, without the
phone. Once the retention period has passed, ``orders_retention_erase``
(``shop.accounts.retention``) blanks those too.

Consents (``Consent``) stay as the proof that the terms of sale of a kept order
were accepted, and in which wording (RGPD art. 7.1 asks the controller to be
able to show a consent; art. 17.3.e keeps what defends a legal claim): the
text, version, digest, time, context and order number stay; the user link goes
and the e-mail becomes the account's placeholder, the one its orders carry, so
an order and the acceptance of its terms still match without naming anybody.

Refused (typed errors, nothing changed), and why:

- STAFF_ACCOUNT: staff accounts are closed by an administrator (deactivated),
  never by their holder -- their actions are the shop's audit trail;
- OPEN_CLAIMS: a claim still open or in review may end in a refund or a
  replacement owed to the person, and answering it needs their contact (RGPD
  art. 17.3.e); the customer waits for its resolution or asks staff to close it;
- ORDERS_IN_PROGRESS: an order not yet shipped (nor cancelled) needs its
  address and e-mail to be delivered;
- PAYMENT_IN_PROGRESS: a cart's payment taken (authorised or charged) but not
  yet an order: deleting the cart would strand the money; it becomes an order
  (then ORDERS_IN_PROGRESS) or is given back first. A payment only started
  (the shopper may still be paying) is cancelled with the cart instead, and
  refunded if it turns out taken meanwhile: the customer asked to leave;
- UNSETTLED_BILL_CHARGES: installments still to be billed to (or accepted on
  but not yet paid with) a water bill. The charges name the contract, so erasing
  the person would not by itself lose them, but a charge the billing system
  rejects must then be collected from the customer, which needs who they are.
  Refusing until the bills are settled keeps both the money and the right.

**Export** (``account_data_export``) returns everything the shop holds about
the customer as one JSON document the storefront saves as a file.

Every action is recorded with its actor in the shared history (``shop.audit``).
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from celery import shared_task
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _

from billing_bridge.models import BillCharge, ContractLink
from billing_bridge.selectors import OUTSTANDING
from discounts.services import voucher_holds_release
from invoicing.models import Invoice
from orders.models import Checkout, Claim, ClaimAttachment, ClaimMessage, Order, Payment
from orders.payments.base import PaymentError
from orders.services.payments import payments_supersede
from shop.accounts.errors import AccountErrorCode as Code
from shop.accounts.models import ADDRESS_FIELDS, Address, Consent, User
from shop.accounts.recovery import redirect_url_clean
from shop.audit import record_change
from shop.outbox.services import outbox_enqueue

DELETED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: never a real mailbox
EXPORT_FORMAT = "water-shop/account-export/1"
OPEN_CLAIM_STATUSES = (Claim.Status.OPEN, Claim.Status.IN_REVIEW)
ORDERS_IN_PROGRESS = (Order.Status.UNFULFILLED, Order.Status.PARTIALLY_FULFILLED)
# Address keys kept on an order's anonymised addresses: the tax territory (IVA
# versus IGIC/IPSI) its taxes were computed for, nothing that finds the person.
KEPT_ADDRESS_KEYS = ("country", "province")


class AccountDeletionTokenGenerator(PasswordResetTokenGenerator):
    """One-time deletion links: a token is void once the account changes (its
    e-mail, password or token version -- deletion changes all three), and after
    ``ACCOUNT_DELETION_TIMEOUT`` seconds. Its own salt: a password reset token
    never confirms a deletion, nor the reverse."""

    key_salt = "shop.accounts.privacy.AccountDeletionTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return (
            f"{user.pk}{user.password}{user.email}{user.token_version}{user.is_active}{timestamp}"
        )

    def check_token(self, user: Any, token: str | None) -> bool:
        if token is None or not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= settings.ACCOUNT_DELETION_TIMEOUT


deletion_tokens = AccountDeletionTokenGenerator()


def _link(redirect_url: str, token: str) -> str:
    """``redirect_url`` with ``token`` in its query (before any ``#/route``, so a
    single-page storefront reads it from ``location.search``)."""
    parts = urlsplit(redirect_url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"token": token})))


def _refusal(user: User) -> ValidationError | None:
    """Why ``user``'s account cannot be deleted now, or None."""
    if user.is_staff or user.is_superuser:
        return ValidationError(
            _("Staff accounts are closed by an administrator."), code=Code.STAFF_ACCOUNT
        )
    if Claim.objects.filter(order__user=user, status__in=OPEN_CLAIM_STATUSES).exists():
        return ValidationError(
            _("You have open claims. Your account can be deleted once they are resolved."),
            code=Code.OPEN_CLAIMS,
        )
    if Order.objects.filter(user=user, status__in=ORDERS_IN_PROGRESS).exists():
        return ValidationError(
            _("You have orders not shipped yet. Your account can be deleted once they are."),
            code=Code.ORDERS_IN_PROGRESS,
        )
    if Payment.objects.filter(
        checkout__user=user,
        order=None,
        status__in=(Payment.Status.AUTHORIZED, Payment.Status.CHARGED),
    ).exists():
        return ValidationError(
            _(
                "A payment of your cart is being completed. Your account can be deleted once "
                "it becomes an order or is given back."
            ),
            code=Code.PAYMENT_IN_PROGRESS,
        )
    if BillCharge.objects.filter(payment__order__user=user, status__in=OUTSTANDING).exists():
        return ValidationError(
            _(
                "Charges to your water bill are still to be settled. Your account can be "
                "deleted once they are."
            ),
            code=Code.UNSETTLED_BILL_CHARGES,
        )
    return None


@transaction.atomic
def account_deletion_request(*, actor: User, redirect_url: str) -> None:
    """E-mail ``actor`` a link to ``redirect_url`` carrying a deletion token
    (sent after commit, through the outbox). Raises ``ValidationError``: INVALID
    on ``redirect_url`` (not a storefront origin), or the refusal that
    ``account_delete`` would give now (STAFF_ACCOUNT, OPEN_CLAIMS,
    ORDERS_IN_PROGRESS, PAYMENT_IN_PROGRESS, UNSETTLED_BILL_CHARGES); nothing is sent then."""
    redirect_url = redirect_url_clean(redirect_url)
    if refusal := _refusal(actor):
        raise refusal
    outbox_enqueue(
        task="shop.accounts.privacy.account_deletion_email_send",
        kwargs={"user_id": actor.pk, "redirect_url": redirect_url},
    )
    record_change(actor=actor, obj=actor, action="change", message="Account deletion requested.")


@shared_task
def account_deletion_email_send(user_id: int, redirect_url: str) -> None:
    """E-mail the deletion link, in the user's language. The token is made here,
    at sending, so no outbox row ever holds one. Does nothing for an account
    already deleted or deactivated."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(user.language_code):
        context = {
            "user": user,
            "link": _link(redirect_url, deletion_tokens.make_token(user)),
            "hours": settings.ACCOUNT_DELETION_TIMEOUT // 3600,
            "shop_name": settings.SHOP_NAME,
        }
        subject = _("Confirm the deletion of your account")
        text = render_to_string("accounts/email/deletion.txt", context)
        html = render_to_string("accounts/email/deletion.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _invalid_token() -> ValidationError:
    return ValidationError(
        {
            "token": ValidationError(
                _("The link is invalid or has expired. Ask for a new one."),
                code=Code.INVALID_TOKEN,
            )
        }
    )


@transaction.atomic
def account_delete(*, actor: User, token: str) -> User:
    """Erase or anonymise ``actor``'s personal data, as the module describes, if
    ``token`` is a valid deletion token of theirs; returns the anonymised user.
    Afterwards every token of theirs is refused and nobody can sign in as them.

    Raises ``ValidationError``: INVALID_TOKEN on ``token`` (wrong, expired, used,
    or the account changed since), or a refusal (STAFF_ACCOUNT, OPEN_CLAIMS,
    ORDERS_IN_PROGRESS, PAYMENT_IN_PROGRESS, UNSETTLED_BILL_CHARGES). A refusal changes nothing.
    """
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.is_active or not deletion_tokens.check_token(user, token):
        raise _invalid_token()
    # The user's row lock (above) is the one checkout_complete takes first: an
    # order being placed for them finishes before (and is then refused as in
    # progress) or finds its checkout gone. The orders' locks are the ones
    # claim_create takes: a claim cannot open between the check and the erasure.
    list(Order.objects.select_for_update().filter(user=user).order_by("pk").values_list("pk"))
    if refusal := _refusal(user):
        raise refusal
    placeholder = f"deleted-{uuid.uuid4().hex}@{DELETED_EMAIL_DOMAIN}"
    _claims_erase(user)  # before the orders, which lead to them, are detached
    _orders_detach(user, placeholder)
    checkouts = Checkout.objects.filter(user=user)
    _cart_payments_give_back(checkouts)
    voucher_holds_release(checkout_tokens=checkouts.values_list("token", flat=True))
    checkouts.delete()
    # Kept as the proof of what was accepted (text, version, time, order), no
    # longer naming the person: see the module's docstring.
    Consent.objects.filter(user=user).update(user=None, email=placeholder)
    Address.objects.filter(user=user).delete()
    ContractLink.objects.filter(user=user).delete()
    _user_anonymise(user, placeholder)
    record_change(actor=user, obj=user, action="change", message="Account deleted.")
    return user


def _cart_payments_give_back(checkouts: QuerySet[Checkout]) -> None:
    """Settle the payments the deleted carts started and nobody will complete:
    the sessions are cancelled at once, so the shopper can no longer pay them
    (one charged since the refusal check is refunded). If the provider does not
    answer, the card webhook gives back whatever the payment takes later: a
    payment without a checkout never becomes an order."""
    for checkout in checkouts:
        with contextlib.suppress(PaymentError):
            payments_supersede(checkout=checkout)


def address_territory(address: dict[str, Any] | None) -> dict[str, Any] | None:
    """What an order's address snapshot keeps once its person is erased: the
    tax territory (``KEPT_ADDRESS_KEYS``)."""
    if address is None:
        return None
    return {key: address[key] for key in KEPT_ADDRESS_KEYS if key in address}


def order_person_erase(order: Order, *, billing_address: dict[str, Any]) -> list[str]:
    """Set on ``order`` what it keeps of its buyer: ``billing_address``, the
    territory of its shipping address and no note. Returns the fields to save."""
    order.billing_address = billing_address
    order.shipping_address = address_territory(order.shipping_address)
    order.customer_note = ""
    return ["billing_address", "shipping_address", "customer_note", "updated_at"]


def _orders_detach(user: User, placeholder: str) -> None:
    for order in Order.objects.filter(user=user).order_by("pk"):
        billing = order.billing_address or {}
        if billing.get("tax_id"):
            # The F1 recipient: what its invoices name (module docstring).
            kept_billing = {key: value for key, value in billing.items() if key != "phone"}
        else:
            kept_billing = address_territory(billing) or {}
        order.user = None
        order.email = placeholder
        erased = order_person_erase(order, billing_address=kept_billing)
        order.save(update_fields=["user", "email", *erased])


def _claims_erase(user: User) -> None:
    """The user's claims (all closed: see the refusals) keep their order, reason,
    outcome and amount; their description, thread and photos go."""
    claims = Claim.objects.filter(Q(order__user=user) | Q(user=user))
    attachments = ClaimAttachment.objects.filter(message__claim__in=claims)
    files = [
        (attachment.image.storage, attachment.image.name)
        for attachment in attachments
        if attachment.image.name
    ]
    ClaimMessage.objects.filter(claim__in=claims).delete()
    claims.update(user=None, description="")
    for storage, name in files:
        # Files after the rows: a failure here leaves an orphan file, not a dangling row.
        transaction.on_commit(partial(storage.delete, name))


def _user_anonymise(user: User, placeholder: str) -> None:
    user.email = placeholder
    user.first_name = user.last_name = ""
    user.portal_subject = None
    user.is_active = False
    user.last_login = None
    user.token_version = uuid.uuid4()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    # The history keeps the rows about the account, not the e-mail they were named by.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=placeholder)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


ADDRESS_EXPORT_FIELDS = (*ADDRESS_FIELDS, "province", "is_default_shipping", "is_default_billing")


def account_data_export(*, actor: User) -> dict[str, Any]:
    """Everything the shop holds about ``actor`` as JSON-ready data (RGPD arts.
    15 and 20): profile, addresses, orders with their lines, claims with their
    messages, invoices, the legal texts accepted and water contracts. Money as
    decimal strings, times in ISO 8601. A fixed number of queries whatever the
    amount of data. The export is recorded in the history."""
    orders = list(
        Order.objects.filter(user=actor)
        .prefetch_related("lines", "invoices")
        .order_by("created_at", "pk")
    )
    claims = list(
        Claim.objects.filter(order__user=actor)
        .select_related("order")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=ClaimMessage.objects.prefetch_related("attachments").order_by("pk"),
            )
        )
        .order_by("created_at", "pk")
    )
    links = ContractLink.objects.filter(user=actor).select_related("contract").order_by("pk")
    data = {
        "format": EXPORT_FORMAT,
        "exportedAt": timezone.now().isoformat(),
        "profile": _profile_data(actor),
        "addresses": [
            {_camel(name): getattr(address, name) for name in ADDRESS_EXPORT_FIELDS}
            for address in Address.objects.filter(user=actor).order_by("pk")
        ],
        "orders": [_order_data(order) for order in orders],
        "claims": [_claim_data(claim) for claim in claims],
        "invoices": [
            _invoice_data(invoice, order)
            for order in orders
            for invoice in sorted(order.invoices.all(), key=lambda invoice: invoice.pk)
        ],
        "consents": [
            _consent_data(consent)
            for consent in Consent.objects.filter(user=actor).order_by("accepted_at", "pk")
        ],
        "waterContracts": [_contract_data(link) for link in links],
    }
    record_change(actor=actor, obj=actor, action="change", message="Personal data exported.")
    return data


def _profile_data(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "languageCode": user.language_code,
        "dateJoined": _when(user.date_joined),
        "lastLogin": _when(user.last_login),
        "signsInThroughPortal": user.is_portal_customer,
    }


def _consent_data(consent: Consent) -> dict[str, Any]:
    return {
        "legalText": consent.document,
        "version": _when(consent.version),
        "textDigest": consent.digest,
        "acceptedAt": _when(consent.accepted_at),
        "where": consent.context,
        "order": consent.reference or None,
    }


def _contract_data(link: ContractLink) -> dict[str, Any]:
    return {
        "number": link.contract.number,
        "holderName": link.contract.holder_name,
        "supplyAddress": link.contract.supply_address,
        "postalCode": link.contract.postal_code,
        "linkedAt": _when(link.created_at),
        "linkedBy": link.source,
    }


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "placedAt": _when(order.created_at),
        "status": order.status,
        "email": order.email,
        "paymentMethod": order.payment_method,
        "shippingMethod": order.shipping_method_name,
        "shippingAddress": order.shipping_address,
        "billingAddress": order.billing_address,
        "pickupPoint": order.pickup_point,
        "customerNote": order.customer_note,
        "currency": order.currency,
        "subtotal": _money(order.subtotal_gross),
        "shipping": _money(order.shipping_gross),
        "total": _money(order.total_gross),
        "tax": _money(order.total_tax),
        "lines": [
            {
                "product": line.product_name,
                "variant": line.variant_name,
                "sku": line.sku,
                "quantity": line.quantity,
                "unitPrice": _money(line.unit_price_gross),
                "taxRate": _money(line.tax_rate),
                "total": _money(line.total_gross),
            }
            for line in sorted(order.lines.all(), key=lambda line: line.pk)
        ],
    }


def _claim_data(claim: Claim) -> dict[str, Any]:
    return {
        "number": claim.number,
        "order": claim.order.number,
        "reason": claim.reason,
        "description": claim.description,
        "status": claim.status,
        "resolution": claim.resolution,
        "refundAmount": _money(claim.refund_amount),
        "openedAt": _when(claim.created_at),
        "closedAt": _when(claim.resolved_at),
        "messages": [
            {
                "fromShop": message.from_staff,
                "body": message.body,
                "sentAt": _when(message.created_at),
                "photos": len(message.attachments.all()),
            }
            for message in claim.messages.all()
        ],
    }


def _invoice_data(invoice: Invoice, order: Order) -> dict[str, Any]:
    return {
        "number": invoice.full_number,
        "kind": invoice.kind,
        "order": order.number,
        "issuedAt": _when(invoice.issued_at),
        "recipientTaxId": invoice.recipient_tax_id,
        "recipientName": invoice.recipient_name,
        "taxBase": _money(invoice.total_net),
        "tax": _money(invoice.total_tax),
        "total": _money(invoice.total_gross),
    }
