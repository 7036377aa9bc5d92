"""Writes of the water-bill route."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing_bridge.errors import BillingErrorCode
from billing_bridge.exchange.base import ExchangeError, get_exchange
from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from shop.accounts.models import User


@transaction.atomic
def contracts_link_vouched(*, user: User, numbers: Sequence[str]) -> list[ContractLink]:
    """Link ``user`` to the contracts the portal vouches for (its signed token
    lists them). Numbers the mirror does not know are skipped; linking again
    changes nothing. Returns the user's links to those contracts."""
    contracts = SupplyContract.objects.filter(number__in=[n.strip() for n in numbers])
    links = []
    for contract in contracts:
        link, _created = ContractLink.objects.get_or_create(
            user=user, contract=contract, defaults={"source": ContractLink.Source.PORTAL}
        )
        links.append(link)
    return links


@transaction.atomic
def contract_terminate(*, contract: SupplyContract, final_cutoff: date) -> int:
    """Mark ``contract`` terminated (the billing system said so): its outstanding
    installments not yet sent move to its final bill. Returns how many moved."""
    contract = SupplyContract.objects.select_for_update().get(pk=contract.pk)
    contract.status = SupplyContract.Status.TERMINATED
    contract.next_cutoff = final_cutoff
    contract.save(update_fields=["status", "next_cutoff"])
    return BillCharge.objects.filter(
        contract=contract, status=BillCharge.Status.PENDING, due_cutoff__gt=final_cutoff
    ).update(due_cutoff=final_cutoff)


LINK_ATTEMPTS = 5  # failed attempts per customer, and per contract, per window
LINK_WINDOW_SECONDS = 3600


def _attempt_keys(user: User, number: str) -> list[str]:
    digest = hashlib.sha256(number.encode()).hexdigest()
    return [f"contract-link:user:{user.pk}", f"contract-link:contract:{digest}"]


def water_contract_link(*, user: User, number: str, last_bill_amount: Decimal) -> ContractLink:
    """Link a contract the customer proves is theirs, as the virtual office does
    at registration: its number and the amount of its last bill, checked with the
    billing system. Failures look the same whether or not the contract exists,
    and are limited per customer and per contract (THROTTLED). Raises
    ValidationError: NOT_VERIFIED, THROTTLED, UNAVAILABLE."""
    number = number.strip()
    keys = _attempt_keys(user, number)
    if any(int(cache.get(key, 0)) >= LINK_ATTEMPTS for key in keys):
        raise ValidationError(
            _("Too many attempts. Try again in an hour."), code=BillingErrorCode.THROTTLED
        )
    try:
        verified = get_exchange().verify_last_bill(number, last_bill_amount)
    except (ExchangeError, OSError) as exc:
        message = _("The billing system did not answer. Please try again later.")
        raise ValidationError(message, code=BillingErrorCode.UNAVAILABLE) from exc
    contract = SupplyContract.objects.filter(number=number).first()
    if not verified or contract is None:
        for key in keys:
            cache.add(key, 0, timeout=LINK_WINDOW_SECONDS)
            cache.incr(key)
        raise ValidationError(
            _("We could not verify this contract with that amount."),
            code=BillingErrorCode.NOT_VERIFIED,
        )
    link, _created = ContractLink.objects.get_or_create(
        user=user, contract=contract, defaults={"source": ContractLink.Source.VERIFIED}
    )
    return link
