"""Bill charges in bulk, for the export race tests and the benchmark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing_bridge.models import BillCharge, SupplyContract
from orders.models import Payment

PER_PAYMENT = 10_000  # installment sequences are unique per payment


def pending_charges(count: int, *, cutoff: date, contracts: int = 50) -> Decimal:
    """``count`` pending installments due at ``cutoff``, spread over ``contracts``
    contracts, written in bulk without orders behind them; returns their total."""
    mirror = SupplyContract.objects.bulk_create(
        SupplyContract(
            number=f"9{n:08d}",
            holder_name=f"Titular {n}",
            supply_address="Calle Sierpes 1, Sevilla",
            postal_code="41004",
            next_cutoff=cutoff,
        )
        for n in range(contracts)
    )
    payments = Payment.objects.bulk_create(
        Payment(method="water_bill", amount=Decimal("1.00"), idempotency_key=f"bulk-{cutoff}-{n}")
        for n in range(count // PER_PAYMENT + 1)
    )
    total = Decimal("0.00")
    for start in range(0, count, PER_PAYMENT):
        rows = []
        for index in range(start, min(start + PER_PAYMENT, count)):
            amount = Decimal(1 + index % 9000) / 100
            total += amount
            rows.append(
                BillCharge(
                    contract=mirror[index % contracts],
                    payment=payments[index // PER_PAYMENT],
                    kind=BillCharge.Kind.INSTALLMENT,
                    sequence=index % PER_PAYMENT + 1,
                    installments=PER_PAYMENT,
                    amount=amount,
                    due_cutoff=cutoff,
                )
            )
        BillCharge.objects.bulk_create(rows, batch_size=2000)
    return total
