"""The checkout as storefronts see it: cart, addresses, shipping, payment, completion.

A checkout is found by its token: an anonymous one by whoever holds the token,
a customer's only by that customer (``orders.selectors.checkout_for``); anybody
else gets NOT_FOUND and nothing changes. It is not a ``Node``: its token is the
only handle, so ``node(id:)`` cannot reach it.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from catalog.api.types import ProductType, ProductVariantType
from orders import models, selectors
from orders.api.common import OrderAddress, TaxLine, money, tax_lines, taxed
from orders.api.shipping.types import PickupPointType
from orders.errors import CheckoutErrorCode
from orders.payments import get_payment_methods
from orders.services.payments import checkout_problems
from shop.api.context import ShopContext
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors
from shop.api.types import MoneyType, TaxedMoneyType
from shop.i18n import localized

strawberry.enum(CheckoutErrorCode, name="CheckoutErrorCode")

ZERO = Decimal("0.00")


@strawberry.type
class CheckoutError(ShopError):
    code: CheckoutErrorCode


@strawberry.enum(description="The ways to pay the shop offers.")
class PaymentMethodCode(enum.Enum):
    CARD = "card"
    WATER_BILL = "water_bill"


checkout_errors = PayloadErrors(CheckoutError, CheckoutErrorCode)


def _summary(info: Info[ShopContext, None], checkout: models.Checkout) -> selectors.CheckoutSummary:
    key = f"checkout:{checkout.pk}:{checkout.version}"
    if key not in info.context.memo:
        info.context.memo[key] = selectors.checkout_summary(checkout)
    summary: selectors.CheckoutSummary = info.context.memo[key]
    return summary


@strawberry.type(name="CheckoutLine")
class CheckoutLineType:
    view: strawberry.Private[selectors.CheckoutLineView]
    quantity_available: int | None = strawberry.field(
        description="Units this checkout could have now; null when stock is not tracked."
    )

    @strawberry.field
    def variant(self) -> ProductVariantType:
        return self.view.variant  # type: ignore[return-value]

    @strawberry.field
    def product(self) -> ProductType:
        return self.view.product  # type: ignore[return-value]

    @strawberry.field
    def quantity(self) -> int:
        return self.view.line.quantity

    @strawberry.field(description="Gross unit price from the catalogue, now.")
    def unit_price(self) -> MoneyType:
        return money(self.view.unit_gross)

    @strawberry.field(description="The line's total after discounts, with its share of the IVA.")
    def total_price(self) -> TaxedMoneyType:
        return taxed(self.view.total.gross, self.view.total.tax)

    @strawberry.field(description="The unit price after live promotions.")
    def sale_unit_price(self) -> MoneyType:
        return money(self.view.unit.price)

    @strawberry.field(description="Unit price x quantity, before discounts.")
    def undiscounted_total_price(self) -> MoneyType:
        return money(self.view.total.undiscounted_gross)

    @strawberry.field(description="What promotions and the promo code take off the line.")
    def discount(self) -> MoneyType:
        return money(self.view.total.discount)


@strawberry.type(description="A shipping method the checkout can use, with its price for it.")
class AvailableShippingMethod:
    quote: strawberry.Private[selectors.ShippingQuote]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(relay.to_base64("ShippingMethod", self.quote.method.pk))

    @strawberry.field
    def name(self) -> str:
        return localized(self.quote.method, "name")

    @strawberry.field
    def kind(self) -> models.ShippingMethod.Kind:
        return models.ShippingMethod.Kind(self.quote.method.kind)

    @strawberry.field
    def price(self) -> MoneyType:
        return money(self.quote.price)

    @strawberry.field
    def delivery_days_min(self) -> int:
        return self.quote.method.delivery_days_min

    @strawberry.field
    def delivery_days_max(self) -> int:
        return self.quote.method.delivery_days_max

    @strawberry.field(description="Where a pickup method's orders can be collected.")
    def pickup_points(self) -> list[PickupPointType]:
        if self.quote.method.kind != models.ShippingMethod.Kind.PICKUP:
            return []  # only pickup methods have any (the shipping services see to it)
        points = self.quote.method.pickup_points.all()
        return [point for point in points if point.is_active]  # type: ignore[misc]


@strawberry.type(description="A way to pay, and whether this checkout may use it (and why not).")
class PaymentMethodOption:
    code: PaymentMethodCode
    name: str
    eligible: bool
    reason: str | None


@strawberry.type(description="A started payment: what the storefront needs to go on paying.")
class PaymentSession:
    method: PaymentMethodCode
    status: str
    amount: MoneyType
    client_data: JSON = strawberry.field(
        description="Method-specific data for the storefront (e.g. a client secret)."
    )


@strawberry.type(name="Checkout")
class CheckoutType:
    checkout: strawberry.Private[models.Checkout]

    def _summary(self, info: Info[ShopContext, None]) -> selectors.CheckoutSummary:
        return _summary(info, self.checkout)

    @strawberry.field
    def token(self) -> uuid.UUID:
        return self.checkout.token

    @strawberry.field
    def email(self) -> str:
        return self.checkout.email

    @strawberry.field
    def lines(self, info: Info[ShopContext, None]) -> list[CheckoutLineType]:
        summary = self._summary(info)
        views = summary.lines
        free = summary.free
        return [
            CheckoutLineType(view=view, quantity_available=free[view.variant.pk]) for view in views
        ]

    @strawberry.field(description="Units in the cart.")
    def quantity(self, info: Info[ShopContext, None]) -> int:
        return sum(view.line.quantity for view in self._summary(info).lines)

    @strawberry.field
    def shipping_address(self) -> OrderAddress | None:
        return OrderAddress.from_dict(self.checkout.shipping_address)

    @strawberry.field
    def billing_address(self) -> OrderAddress | None:
        return OrderAddress.from_dict(self.checkout.billing_address)

    @strawberry.field(description="The chosen shipping method, while it is still available.")
    def shipping_method(self, info: Info[ShopContext, None]) -> AvailableShippingMethod | None:
        chosen = self._summary(info).shipping
        return AvailableShippingMethod(quote=chosen) if chosen else None

    @strawberry.field
    def pickup_point(self) -> PickupPointType | None:
        return self.checkout.pickup_point  # type: ignore[return-value]

    @strawberry.field(description="The methods serving the shipping address, cheapest first.")
    def available_shipping_methods(
        self, info: Info[ShopContext, None]
    ) -> list[AvailableShippingMethod]:
        return [AvailableShippingMethod(quote=quote) for quote in self._summary(info).quotes]

    @strawberry.field(description="Every payment method, each with whether it may be used here.")
    def available_payment_methods(self, info: Info[ShopContext, None]) -> list[PaymentMethodOption]:
        total = self._summary(info).totals.total_gross
        options = []
        for code, method in get_payment_methods().items():
            if code not in PaymentMethodCode._value2member_map_:
                continue
            eligibility = method.eligibility(self.checkout, amount=total)
            options.append(
                PaymentMethodOption(
                    code=PaymentMethodCode(code),
                    name=str(method.name),
                    eligible=eligibility.eligible,
                    reason=None if eligibility.eligible else eligibility.reason,
                )
            )
        return options

    @strawberry.field(description="Sum of the lines, IVA included.")
    def subtotal_price(self, info: Info[ShopContext, None]) -> TaxedMoneyType:
        totals = self._summary(info).totals
        return taxed(totals.subtotal_gross, sum((line.tax for line in totals.lines), ZERO))

    @strawberry.field(description="Shipping with its IVA; zero until a method is chosen.")
    def shipping_price(self, info: Info[ShopContext, None]) -> TaxedMoneyType:
        shipping = self._summary(info).totals.shipping
        return taxed(shipping.gross, shipping.tax) if shipping else taxed(ZERO, ZERO)

    @strawberry.field
    def total_price(self, info: Info[ShopContext, None]) -> TaxedMoneyType:
        totals = self._summary(info).totals
        return taxed(totals.total_gross, totals.total_tax)

    @strawberry.field(description="IVA per rate, each rounded once over the order.")
    def taxes(self, info: Info[ShopContext, None]) -> list[TaxLine]:
        return tax_lines(self._summary(info).totals.tax_by_rate)

    @strawberry.field(description="The promo code applied, as typed and normalised.")
    def voucher_code(self) -> str | None:
        return self.checkout.promo_code or None

    @strawberry.field(description="What promotions and the promo code take off, shipping included.")
    def discount(self, info: Info[ShopContext, None]) -> MoneyType:
        return money(self._summary(info).totals.discount)

    @strawberry.field(description="What still keeps the checkout from being paid.")
    def problems(self, info: Info[ShopContext, None]) -> list[CheckoutError]:
        summary = self._summary(info)
        problems = checkout_problems(summary)
        return checkout_errors(problems) if problems else []
