"""The ``water_bill`` payment method: the order goes on the customer's next water
bills, in 1, 2, 3 or 6 installments.

Only for signed-in customers with a linked, active contract in good standing
and enough shop credit (``billing_bridge.selectors.charge_eligibility`` says
why not). Starting chooses the contract and the installments; confirming
writes the bill charges, inside the transaction that places the order, and the
payment counts as charged at once. Refunds cancel charges not yet sent to the
billing system and credit the rest on the next bill.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_bridge import selectors
from billing_bridge.models import BillCharge, SupplyContract
from orders.payments.base import Eligibility, PaymentDeclined, PaymentMethod, PaymentSession, Refund

if TYPE_CHECKING:
    from orders.models import Checkout, Payment


class WaterBillPaymentMethod(PaymentMethod):
    name = _("Pay on your water bill")

    def eligibility(self, checkout: Checkout, *, amount: Decimal) -> Eligibility:
        verdict = selectors.charge_eligibility(checkout.user, None, amount=amount)
        return Eligibility(verdict.eligible, verdict.reason)

    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        """``options``: ``contract`` (its number; default: the customer's first
        contract that may take the amount) and ``installments`` (default 1)."""
        checkout = payment.checkout
        user = checkout.user if checkout else None
        installments = int(options.get("installments") or 1)
        number = str(options.get("contract") or "")
        contract = None
        if user is not None:
            contracts = selectors.contracts_of(user)
            if number:
                contract = contracts.filter(number=number).first()
                if contract is None:
                    raise PaymentDeclined(
                        gettext("This supply contract is not linked to your account.")
                    )
            else:
                contract = next(
                    (
                        each
                        for each in contracts
                        if selectors.charge_eligibility(
                            user, each, amount=payment.amount, installments=installments
                        ).eligible
                    ),
                    None,
                )
        verdict = selectors.charge_eligibility(
            user, contract, amount=payment.amount, installments=installments
        )
        if not verdict.eligible or contract is None:
            raise PaymentDeclined(verdict.reason)
        schedule = [
            {"amount": str(amount), "cutoff": cutoff.isoformat()}
            for amount, cutoff in zip(
                selectors.installment_amounts(payment.amount, installments),
                selectors.installment_cutoffs(contract, installments),
                strict=True,
            )
        ]
        details = {"contract": contract.number, "installments": installments, "schedule": schedule}
        return PaymentSession(
            status="authorized",
            psp_reference=f"water-bill:{payment.pk}",
            client_data=details,
            details=details,
        )

    def confirm(self, payment: Payment) -> str:
        """Write the installments as pending bill charges (once) and report the
        payment charged. Call inside the transaction that places the order."""
        with transaction.atomic():
            if BillCharge.objects.filter(payment=payment).exists():
                live = BillCharge.objects.filter(payment=payment).exclude(
                    status=BillCharge.Status.CANCELLED
                )
                return "charged" if live.exists() else "cancelled"
            contract = SupplyContract.objects.select_for_update().get(
                number=payment.details["contract"]
            )
            schedule = payment.details["schedule"]
            total = sum((Decimal(item["amount"]) for item in schedule), Decimal(0))
            if total != payment.amount or total > selectors.credit_left(contract):
                return "failed"  # the cart or the credit changed since the start
            BillCharge.objects.bulk_create(
                BillCharge(
                    contract=contract,
                    payment=payment,
                    kind=BillCharge.Kind.INSTALLMENT,
                    sequence=index,
                    installments=len(schedule),
                    amount=Decimal(item["amount"]),
                    due_cutoff=item["cutoff"],
                )
                for index, item in enumerate(schedule, start=1)
            )
        return "charged"

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        """Cancel pending installments, latest first, while they fit in ``amount``;
        credit what is left on the contract's next bill. Once per key."""
        with transaction.atomic():
            charges = BillCharge.objects.select_for_update().filter(payment=payment)
            if charges.filter(refund_key=idempotency_key).exists():
                return Refund(status="success", psp_reference=idempotency_key)
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
        return Refund(status="success", psp_reference=idempotency_key)

    def cancel(self, payment: Payment) -> None:
        BillCharge.objects.filter(payment=payment, status=BillCharge.Status.PENDING).update(
            status=BillCharge.Status.CANCELLED
        )
