"""Writes of the water-bill route. Each write that moves the route on records a
:class:`BillingEvent` with its actor (None: the system), whoever called it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_bridge.errors import BillingErrorCode
from billing_bridge.exchange.base import ContractInfo, ExchangeError, get_exchange
from billing_bridge.models import BillCharge, BillingEvent, ContractLink, SupplyContract
from shop import throttle
from shop.accounts.models import User

Action = BillingEvent.Action


def billing_event_record(
    *,
    actor: User | None,
    action: BillingEvent.Action,
    obj: models.Model,
    data: dict[str, Any] | None = None,
) -> BillingEvent:
    """Record that ``actor`` (None: the system) did ``action`` to ``obj``; ``data``
    holds the figures worth keeping (dates and decimals are stored as text).
    Call it inside the write's transaction, so the event and the write commit together."""
    return BillingEvent.objects.create(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        data=data or {},
    )


def _link(user: User, contract: SupplyContract, source: ContractLink.Source) -> ContractLink:
    link, created = ContractLink.objects.get_or_create(
        user=user, contract=contract, defaults={"source": source}
    )
    if created:
        billing_event_record(
            actor=user, action=Action.CONTRACT_LINKED, obj=contract, data={"source": source}
        )
    return link


@transaction.atomic
def contracts_link_vouched(*, user: User, numbers: Sequence[str]) -> list[ContractLink]:
    """Link ``user`` to the contracts the portal vouches for (its signed token
    lists them). Numbers the mirror does not know are skipped; linking again
    changes nothing. Returns the user's links to those contracts. Each new link
    is a CONTRACT_LINKED event by ``user``."""
    contracts = SupplyContract.objects.filter(number__in=[n.strip() for n in numbers])
    return [_link(user, contract, ContractLink.Source.PORTAL) for contract in contracts]


@transaction.atomic
def contract_terminate(*, actor: User | None, contract: SupplyContract, final_cutoff: date) -> int:
    """Mark ``contract`` terminated (the billing system said so): its outstanding
    installments not yet sent move to its final bill. Returns how many moved,
    recorded in a CONTRACT_TERMINATED event by ``actor``."""
    contract = SupplyContract.objects.select_for_update().get(pk=contract.pk)
    contract.status = SupplyContract.Status.TERMINATED
    contract.next_cutoff = final_cutoff
    contract.save(update_fields=["status", "next_cutoff"])
    moved = BillCharge.objects.filter(
        contract=contract, status=BillCharge.Status.PENDING, due_cutoff__gt=final_cutoff
    ).update(due_cutoff=final_cutoff)
    billing_event_record(
        actor=actor,
        action=Action.CONTRACT_TERMINATED,
        obj=contract,
        data={"final_cutoff": final_cutoff, "moved": moved},
    )
    return moved


LINK_ATTEMPTS = 5  # failed attempts per customer, and per contract, per window
LINK_WINDOW = timedelta(hours=1)
LINK_PER_CUSTOMER = throttle.Limit("contract-link:user", lambda: LINK_ATTEMPTS, lambda: LINK_WINDOW)
LINK_PER_CONTRACT = throttle.Limit(
    "contract-link:contract", lambda: LINK_ATTEMPTS, lambda: LINK_WINDOW
)


def water_contract_link(*, user: User, number: str, last_bill_amount: Decimal) -> ContractLink:
    """Link a contract the customer proves is theirs, as the virtual office does
    at registration: its number and the amount of its last bill, checked with the
    billing system. Failures look the same whether or not the contract exists,
    and are limited per customer and per contract (``shop.throttle``: counted
    before the billing system is asked). Raises ValidationError: NOT_VERIFIED,
    THROTTLED, UNAVAILABLE."""
    number = number.strip()
    try:
        attempt = throttle.attempt(
            LINK_PER_CUSTOMER.counter(str(user.pk)), LINK_PER_CONTRACT.counter(number)
        )
    except throttle.Throttled as exc:
        raise ValidationError(
            _("Too many attempts. Try again in an hour."), code=BillingErrorCode.THROTTLED
        ) from exc
    try:
        verified = get_exchange().verify_last_bill(number, last_bill_amount)
    except (ExchangeError, OSError) as exc:
        attempt.release()
        message = _("The billing system did not answer. Please try again later.")
        raise ValidationError(message, code=BillingErrorCode.UNAVAILABLE) from exc
    if verified:
        contracts_refresh(actor=user, numbers=[number])
    contract = SupplyContract.objects.filter(number=number).first()
    if not verified or contract is None:
        raise ValidationError(
            _("We could not verify this contract with that amount."),
            code=BillingErrorCode.NOT_VERIFIED,
        )
    attempt.release()
    with transaction.atomic():
        return _link(user, contract, ContractLink.Source.VERIFIED)


Progress = Callable[[Sequence[str]], Iterable[str]]

# ContractInfo attribute -> SupplyContract field, copied when the billing system says.
MIRRORED_FIELDS = {
    "holder": "holder_name",
    "supply_address": "supply_address",
    "postal_code": "postal_code",
    "billing_period_months": "billing_period_months",
    "next_cutoff": "next_cutoff",
    "has_unpaid_bills": "has_unpaid_bills",
}


@dataclass
class RefreshReport:
    """What ``contracts_refresh`` did, by contract number."""

    refreshed: list[str] = field(default_factory=list)  # copied from the billing system
    changed: dict[str, list[str]] = field(default_factory=dict)  # -> the fields that changed
    terminated: dict[str, int] = field(default_factory=dict)  # -> installments moved
    unknown: list[str] = field(default_factory=list)  # the billing system does not know them
    failed: dict[str, str] = field(default_factory=dict)  # -> why the look-up failed
    not_mirrored: list[str] = field(default_factory=list)  # asked for, not in the mirror


def contracts_refresh(
    *,
    actor: User | None,
    numbers: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RefreshReport:
    """Refresh the mirror from the billing system: every mirrored contract, or
    those of ``numbers``. Each is looked up with ``get_exchange().lookup_contract``
    (outside any transaction of ours), then its row is locked and updated in a
    short transaction of its own: status, holder, address, billing period, next
    cut-off, unpaid bills (what the system leaves out, ``None``, is kept) and
    ``refreshed_at``. A contract now terminated goes through ``contract_terminate``
    (its pending installments move to its final bill, its next cut-off).

    Contracts the system does not know, or whose look-up fails (``ExchangeError``,
    ``OSError``, a status or value the mirror cannot hold), are left alone and
    listed in the report; the others go on. ``progress`` wraps the numbers (a progress bar).
    A contract that changed is a CONTRACT_REFRESHED event by ``actor`` (with the
    fields that changed); one unchanged records nothing."""
    contracts = SupplyContract.objects.order_by("number")
    if numbers is not None:
        contracts = contracts.filter(number__in=[number.strip() for number in numbers])
    mirrored = list(contracts.values_list("number", flat=True))
    report = RefreshReport()
    if numbers is not None:
        report.not_mirrored = sorted({n.strip() for n in numbers} - set(mirrored))
    exchange = get_exchange()
    for number in (progress or (lambda each: each))(mirrored):
        try:
            info = exchange.lookup_contract(number)
        except (ExchangeError, OSError) as error:
            report.failed[number] = str(error) or type(error).__name__
            continue
        if info is None:
            report.unknown.append(number)
        elif info.status not in SupplyContract.Status.values:
            report.failed[number] = f"unknown status {info.status!r}"
        else:
            try:
                _contract_refresh_one(actor, number, info, report)
            except (IntegrityError, DataError) as error:
                report.failed[number] = f"not stored: {error}"
    return report


@transaction.atomic
def _contract_refresh_one(
    actor: User | None, number: str, info: ContractInfo, report: RefreshReport
) -> None:
    contract = SupplyContract.objects.select_for_update().filter(number=number).first()
    if contract is None:
        return  # deleted since the look-up
    changes = {
        name: value
        for attribute, name in MIRRORED_FIELDS.items()
        if (value := getattr(info, attribute)) not in (None, "")
        and getattr(contract, name) != value
    }
    terminating = (
        info.status == SupplyContract.Status.TERMINATED
        and contract.status != SupplyContract.Status.TERMINATED
    )
    if info.status != contract.status and not terminating:
        changes["status"] = info.status
    for name, value in changes.items():
        setattr(contract, name, value)
    contract.refreshed_at = timezone.now()
    contract.save(update_fields=[*changes, "refreshed_at"])
    if changes:
        billing_event_record(
            actor=actor,
            action=Action.CONTRACT_REFRESHED,
            obj=contract,
            data={"changed": sorted(changes)},
        )
    if terminating:
        moved = contract_terminate(
            actor=actor, contract=contract, final_cutoff=contract.next_cutoff
        )
        report.terminated[number] = moved
        changes["status"] = info.status
    report.refreshed.append(number)
    if changes:
        report.changed[number] = sorted(changes)
