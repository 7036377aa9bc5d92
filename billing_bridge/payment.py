"""The ``water_bill`` payment method: the order goes on the customer's next water
bills, in 1, 2, 3 or 6 installments.

Only for signed-in customers with a linked, active contract in good standing
and enough shop credit (``billing_bridge.selectors.charge_eligibility`` says
why not). Starting chooses the contract and the installments and authorises the
plan; capturing writes the bill charges, inside the transaction that places the
order, after checking the contract again, and the payment counts as charged at
once. Refunds cancel charges not yet sent to the billing system and credit the
rest on the next bill.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from billing_bridge import selectors
from billing_bridge.models import BillCharge, SupplyContract
from orders.errors import CheckoutErrorCode
from orders.payments.base import (
    Eligibility,
    PaymentDeclined,
    PaymentMethod,
    PaymentSession,
    PaymentStatus,
    Refund,
    RefundStatus,
)

if TYPE_CHECKING:
    from orders.models import Checkout, Payment
    from shop.accounts.models import User


class WaterBillPaymentMethod(PaymentMethod):
    name = _("Pay on your water bill")

    def eligibility(
        self, checkout: Checkout, *, amount: Decimal, options: Mapping[str, Any] | None = None
    ) -> Eligibility:
        """``options``: ``contract`` (its number; default: the customer's first
        contract that may take the amount) and ``installments`` (1, 2, 3 or 6;
        default 1). A refusal names the option it is about."""
        options = options or {}
        installments = options.get("installments", 1)
        if type(installments) is not int:  # True is not one installment
            installments = 0
        number = options.get("contract")
        contract = None
        if number is not None:
            contract = SupplyContract.objects.filter(number=str(number).strip()).first()
            if contract is None:
                return Eligibility(
                    False,
                    gettext("This supply contract is not linked to your account."),
                    field="waterContract",
                    code=CheckoutErrorCode.INVALID_WATER_CONTRACT.value,
                )
        verdict = selectors.charge_eligibility(
            checkout.user, contract, amount=amount, installments=installments
        )
        return Eligibility(verdict.eligible, verdict.reason, field=verdict.field, code=verdict.code)

    @override
    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        """Choose the contract and show the plan; nothing is billed until the
        order is placed (``capture``). The shop has checked ``options`` with
        ``eligibility`` before storing the payment."""
        user = payment.checkout.user if payment.checkout else None
        installments = int(options.get("installments", 1))
        contract = self._contract(user, options.get("contract"), payment.amount, installments)
        details = {
            "contract": contract.number,
            "installments": installments,
            "schedule": self._schedule(contract, payment.amount, installments),
        }
        return PaymentSession(
            status=PaymentStatus.AUTHORIZED,
            psp_reference=f"water-bill:{payment.pk}",
            client_data=details,
            details=details,
        )

    @staticmethod
    def _contract(
        user: User | None, number: object, amount: Decimal, installments: int
    ) -> SupplyContract:
        contracts = selectors.contracts_of(user) if user is not None else None
        contract = None
        if contracts is not None and number is not None:
            contract = contracts.filter(number=str(number).strip()).first()
        elif contracts is not None:
            contract = next(
                (
                    each
                    for each in contracts
                    if selectors.charge_eligibility(
                        user, each, amount=amount, installments=installments
                    ).eligible
                ),
                None,
            )
        verdict = selectors.charge_eligibility(
            user, contract, amount=amount, installments=installments
        )
        if not verdict.eligible or contract is None:
            raise PaymentDeclined(verdict.reason)
        return contract

    @staticmethod
    def _schedule(
        contract: SupplyContract, amount: Decimal, installments: int
    ) -> list[dict[str, str]]:
        return [
            {"amount": str(part), "cutoff": cutoff.isoformat()}
            for part, cutoff in zip(
                selectors.installment_amounts(amount, installments),
                selectors.installment_cutoffs(contract, installments),
                strict=True,
            )
        ]

    def confirm(self, payment: Payment) -> PaymentStatus:
        """A read: charged once its installments are written (``capture``),
        cancelled once they all are; authorised (nothing billed) before."""
        statuses = set(BillCharge.objects.filter(payment=payment).values_list("status", flat=True))
        if not statuses:
            return PaymentStatus.AUTHORIZED if payment.psp_reference else PaymentStatus.PENDING
        if statuses == {BillCharge.Status.CANCELLED}:
            return PaymentStatus.CANCELLED
        return PaymentStatus.CHARGED

    def capture(self, payment: Payment) -> PaymentStatus:
        """Write the installments as pending bill charges, once, with the contract
        locked and checked again as it is now (suspended, terminated, its credit
        used up elsewhere since the start: PaymentDeclined with the reason). The
        cut-offs are the contract's next bills at this moment."""
        with transaction.atomic():
            contract = SupplyContract.objects.select_for_update().get(
                number=payment.details["contract"]
            )
            if BillCharge.objects.filter(payment=payment).exists():
                return self.confirm(payment)
            user = payment.checkout.user if payment.checkout else None
            installments = int(payment.details["installments"])
            verdict = selectors.charge_eligibility(
                user, contract, amount=payment.amount, installments=installments
            )
            if not verdict.eligible:
                raise PaymentDeclined(verdict.reason)
            BillCharge.objects.bulk_create(
                BillCharge(
                    contract=contract,
                    payment=payment,
                    kind=BillCharge.Kind.INSTALLMENT,
                    sequence=index,
                    installments=installments,
                    amount=Decimal(item["amount"]),
                    due_cutoff=item["cutoff"],
                )
                for index, item in enumerate(
                    self._schedule(contract, payment.amount, installments), start=1
                )
            )
        return PaymentStatus.CHARGED

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        """Cancel pending installments, latest first, while they fit in ``amount``;
        credit what is left on the contract's next bill. Once per key."""
        with transaction.atomic():
            charges = BillCharge.objects.select_for_update().filter(payment=payment)
            if charges.filter(refund_key=idempotency_key).exists():
                return Refund(status=RefundStatus.SUCCESS, psp_reference=idempotency_key)
            left = amount
            pending = charges.filter(
                kind=BillCharge.Kind.INSTALLMENT, status=BillCharge.Status.PENDING
            ).order_by("-sequence")
            for charge in pending:
                if charge.amount <= left:
                    charge.status, charge.refund_key = BillCharge.Status.CANCELLED, idempotency_key
                    charge.save(update_fields=["status", "refund_key", "updated_at"])
                    left -= charge.amount
            if left > 0:
                contract = SupplyContract.objects.get(number=payment.details["contract"])
                credits = charges.filter(kind=BillCharge.Kind.CREDIT).count()
                BillCharge.objects.create(
                    contract=contract,
                    payment=payment,
                    kind=BillCharge.Kind.CREDIT,
                    sequence=credits + 1,
                    installments=1,
                    amount=-left,
                    due_cutoff=contract.next_cutoff,
                    refund_key=idempotency_key,
                )
        return Refund(status=RefundStatus.SUCCESS, psp_reference=idempotency_key)

    def cancel(self, payment: Payment) -> None:
        BillCharge.objects.filter(payment=payment, status=BillCharge.Status.PENDING).update(
            status=BillCharge.Status.CANCELLED
        )
