"""Reads of the water-bill route: a customer's contracts, the credit left on a
contract, whether an amount may go on the bill (and why not), and how it
splits into installments over the next bills. One place computes each."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.db.models import QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from billing_bridge.models import BillCharge, SupplyContract
from orders.errors import CheckoutErrorCode
from shop.accounts.models import User
from shop.money import CENT

INSTALLMENT_CHOICES = (1, 2, 3, 6)
MINIMUM_INSTALLMENT = Decimal("5.00")  # smaller amounts are not worth a bill line
OUTSTANDING = (
    BillCharge.Status.PENDING,
    BillCharge.Status.EXPORTED,
    BillCharge.Status.ACCEPTED,
)


def contracts_of(user: User) -> QuerySet[SupplyContract]:
    return SupplyContract.objects.filter(links__user=user).order_by("number")


def outstanding(contract: SupplyContract) -> Decimal:
    """What the shop has charged to the contract and not been paid yet (credits
    included, negative)."""
    total = BillCharge.objects.filter(contract=contract, status__in=OUTSTANDING).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal("0.00")


def credit_left(contract: SupplyContract) -> Decimal:
    return max(contract.credit_limit - outstanding(contract), Decimal("0.00"))


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str = ""
    field: str = "method"  # the shopper's choice a refusal is about
    code: str = ""  # a CheckoutErrorCode value; "" for the method as a whole


def _choice(field: str, code: CheckoutErrorCode, reason: str) -> Verdict:
    return Verdict(False, reason, field=field, code=code.value)


def charge_eligibility(
    user: User | None, contract: SupplyContract | None, *, amount: Decimal, installments: int = 1
) -> Verdict:
    """Whether ``amount`` may go on ``contract``'s bills for ``user``, with the
    reason shown to the shopper when not. ``contract`` None: the user's best."""
    if user is None:
        return Verdict(False, _("Sign in through the customer portal to pay on your water bill."))
    if contract is None:
        contracts = list(contracts_of(user))
        if not contracts:
            return Verdict(False, _("Link a supply contract to pay on your water bill."))
        verdicts = [
            charge_eligibility(user, each, amount=amount, installments=installments)
            for each in contracts
        ]
        return next((verdict for verdict in verdicts if verdict.eligible), verdicts[0])
    if installments not in INSTALLMENT_CHOICES:
        return _choice(
            "installments",
            CheckoutErrorCode.INVALID_INSTALLMENTS,
            _("Choose 1, 2, 3 or 6 installments."),
        )
    if not contracts_of(user).filter(pk=contract.pk).exists():
        return _choice(
            "waterContract",
            CheckoutErrorCode.INVALID_WATER_CONTRACT,
            _("This supply contract is not linked to your account."),
        )
    if contract.status != SupplyContract.Status.ACTIVE:
        return Verdict(False, _("The supply contract is not active."))
    if contract.has_unpaid_bills:
        return Verdict(False, _("The supply contract has unpaid bills."))
    if amount > credit_left(contract):
        return Verdict(
            False,
            _("The amount is over the credit left on this contract (%(left)s €).")
            % {"left": number_format(credit_left(contract), 2)},
        )
    if installments > 1 and amount / installments < MINIMUM_INSTALLMENT:
        return _choice(
            "installments",
            CheckoutErrorCode.INSTALLMENT_BELOW_MINIMUM,
            _("Each installment must be at least %(minimum)s €; choose fewer installments.")
            % {"minimum": number_format(MINIMUM_INSTALLMENT, 2)},
        )
    return Verdict(True)


def installment_amounts(total: Decimal, installments: int) -> list[Decimal]:
    """``total`` split into ``installments`` amounts that add up to it exactly;
    the first installments carry the leftover cents."""
    if installments < 1:
        raise ValueError("At least one installment.")
    base = (total / installments).quantize(CENT, rounding=ROUND_FLOOR)
    left = int((total - base * installments) / CENT)
    return [base + (CENT if index < left else 0) for index in range(installments)]


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def installment_cutoffs(contract: SupplyContract, installments: int) -> list[date]:
    """The bill cut-offs the installments fall due on: the next bill, then one
    per billing period."""
    period = contract.billing_period_months
    return [add_months(contract.next_cutoff, index * period) for index in range(installments)]
