"""Orders to invoice: paid by card in full, or charged to the water bill."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import ProductVariant, TaxClass
from orders import models, services
from shop.accounts.models import User
from tests.billing_bridge.test_water_bill_payment import linked_customer
from tests.factories.orders import (
    ADDRESS,
    ShippingMethodFactory,
    ready_checkout,
    stocked_variant,
    zone_for,
)

METHODS = {
    "card": "orders.payments.memory.InMemoryPaymentMethod",
    "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
}


def variant_at(rate: str, price: str, quantity: int = 20) -> ProductVariant:
    """A stocked variant taxed at ``rate`` (general, reduced or super-reduced)."""
    tax_class = {
        "0.21": TaxClass.GENERAL,
        "0.10": TaxClass.REDUCED,
        "0.04": TaxClass.SUPER_REDUCED,
    }[rate]
    return stocked_variant(quantity=quantity, price=price, product__tax_class=tax_class)


def card_order(
    lines: list[tuple[ProductVariant, int]] | None = None,
    *,
    user: User | None = None,
    tax_id: str = "",
    **billing: str,
) -> models.Order:
    """An order paid in full by card, its billing address with ``tax_id`` if given."""
    checkout = ready_checkout(lines=lines, user=user)
    if tax_id:
        services.checkout_billing_address_update(
            checkout=checkout, address={**ADDRESS, "tax_id": tax_id, **billing}
        )
    services.checkout_payment_start(checkout=checkout, method_code="card")
    return services.checkout_complete(checkout=checkout, actor=None)


def water_bill_order(
    lines: list[tuple[ProductVariant, int]], *, pickup_at: models.PickupPoint | None = None
) -> models.Order:
    """An order charged to the water bill in one installment; collected at
    ``pickup_at`` (an office) if given."""
    user, _contract = linked_customer()
    checkout = ready_checkout(lines=lines, user=user)
    if pickup_at is not None:
        method = ShippingMethodFactory(
            zone=zone_for("41"), kind=models.ShippingMethod.Kind.PICKUP, price="0.00"
        )
        method.pickup_points.add(pickup_at)
        services.checkout_shipping_method_update(
            checkout=checkout, method=method, pickup_point=pickup_at
        )
    services.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": "100200300", "installments": 1},
    )
    return services.checkout_complete(checkout=checkout, actor=user)


def amounts(invoice) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, base, tax) of each tax line, highest rate first."""
    return [(line.rate, line.base, line.tax) for line in invoice.tax_lines.all()]
