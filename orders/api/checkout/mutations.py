"""Checkout mutations. Each finds the checkout by token (``selectors.checkout_for``:
NOT_FOUND on ``token`` for anybody who may not use it), calls one service and
returns the checkout."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from catalog.models import ProductVariant
from orders import models, selectors, services
from orders.api.checkout.types import (
    CheckoutError,
    CheckoutType,
    PaymentMethodCode,
    PaymentSession,
    checkout_errors,
)
from orders.api.common import money
from orders.api.orders.types import OrderType
from orders.errors import CheckoutErrorCode
from shop.accounts.api.mutations import AddressInput
from shop.accounts.consent import accepted_documents
from shop.accounts.models import User
from shop.api.context import ShopContext
from shop.api.inputs import fetch, fetch_many, given_fields, not_found
from shop.api.mutations import mutation
from shop.api.relay import decode_id
from shop.api.types import LanguageCode
from shop.errors import NotFound
from shop.i18n import current_language


@strawberry.input
class CheckoutLineInput:
    variant_id: strawberry.ID
    quantity: int


@strawberry.input
class CheckoutCreateInput:
    email: str | None = None
    lines: list[CheckoutLineInput] = strawberry.field(default_factory=list)
    language_code: LanguageCode | None = strawberry.field(
        default=None, description="For e-mails; default: the request's language."
    )


@strawberry.input
class CheckoutLinesInput:
    token: uuid.UUID
    lines: list[CheckoutLineInput]


@strawberry.input
class CheckoutLinesDeleteInput:
    token: uuid.UUID
    variant_ids: list[strawberry.ID]


@strawberry.input
class CheckoutEmailUpdateInput:
    token: uuid.UUID
    email: str


@strawberry.input
class CheckoutAddressUpdateInput:
    token: uuid.UUID
    address: AddressInput


@strawberry.input
class BillingAddressInput(AddressInput):
    tax_id: str | None = strawberry.field(
        default=None,
        description=(
            "Spanish NIF, NIE or CIF: the order then gets a full invoice naming"
            " `companyName` (or the person)."
        ),
    )


@strawberry.input
class CheckoutBillingAddressUpdateInput:
    token: uuid.UUID
    address: BillingAddressInput


@strawberry.input
class CheckoutShippingMethodUpdateInput:
    token: uuid.UUID
    shipping_method_id: strawberry.ID
    pickup_point_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for pickup methods: one of their pickup points."
    )


@strawberry.input
class CheckoutTokenInput:
    token: uuid.UUID


@strawberry.input
class CheckoutCompleteInput:
    token: uuid.UUID
    accept_terms_of_sale: bool = strawberry.field(
        default=False,
        description=(
            "The shopper accepted the terms of sale as they read now. Required (REQUIRED on"
            " acceptTermsOfSale) once the shop publishes terms of sale, unless accepted at"
            " checkoutPaymentStart."
        ),
    )
    accept_privacy_policy: bool = strawberry.field(
        default=False, description="The shopper accepted the privacy policy as it reads now."
    )


@strawberry.input
class CheckoutPaymentStartInput:
    token: uuid.UUID
    method: PaymentMethodCode
    water_contract: str | None = strawberry.field(
        default=None,
        description=(
            "WATER_BILL: the number of a contract linked to the customer (default: the first "
            "eligible); INVALID_WATER_CONTRACT otherwise."
        ),
    )
    installments: int | None = strawberry.field(
        default=None,
        description=(
            "WATER_BILL: 1, 2, 3 or 6 bills (default 1); INVALID_INSTALLMENTS otherwise. Each "
            "installment must be at least 5.00 EUR (INSTALLMENT_BELOW_MINIMUM)."
        ),
    )
    accept_terms_of_sale: bool = strawberry.field(
        default=False,
        description=(
            "The shopper accepted the terms of sale as they read now (kept for the order,"
            " however it is placed). Required (REQUIRED on acceptTermsOfSale) once the shop"
            " publishes terms of sale: nothing is charged before."
        ),
    )
    accept_privacy_policy: bool = strawberry.field(
        default=False, description="The shopper accepted the privacy policy as it reads now."
    )


@strawberry.type
class CheckoutPayload:
    checkout: CheckoutType | None = None
    errors: list[CheckoutError] = strawberry.field(default_factory=list)


@strawberry.type
class CheckoutPaymentStartPayload:
    checkout: CheckoutType | None = None
    payment: PaymentSession | None = None
    errors: list[CheckoutError] = strawberry.field(default_factory=list)


@strawberry.type
class CheckoutCompletePayload:
    order: OrderType | None = None
    errors: list[CheckoutError] = strawberry.field(default_factory=list)


def _checkout(info: Info[ShopContext, None], token: uuid.UUID) -> selectors.CheckoutRef:
    """The checkout as the service reads it: locked, for the request's user."""
    return selectors.CheckoutRef(info.context.user, token)


def _lines(
    lines: list[CheckoutLineInput], *, new: bool = False
) -> list[tuple[ProductVariant, int]]:
    """``new``: the lines of a new checkout (read with what it checks them with)."""
    variants = fetch_many(
        ProductVariant,
        "ProductVariant",
        [line.variant_id for line in lines],
        codes=CheckoutErrorCode,
        field="lines",
        # The services check what is for sale, and the summary prices, from these.
        queryset=(
            selectors.new_cart_variants()
            if new
            else ProductVariant.objects.select_related("product__category")
        ),
    )
    return [(variant, line.quantity) for variant, line in zip(variants, lines, strict=True)]


def _payload(checkout: models.Checkout) -> CheckoutPayload:
    return CheckoutPayload(checkout=CheckoutType(checkout=checkout))


def _address(input: AddressInput) -> dict[str, Any]:
    return given_fields(input)


checkout_mutation = mutation(CheckoutPayload, checkout_errors, not_found="token")


@strawberry.type
class CheckoutMutations:
    @strawberry.mutation(
        description="Start a checkout: the signed-in customer's, or anonymous with a token."
    )
    @checkout_mutation
    def checkout_create(
        self, info: Info[ShopContext, None], input: CheckoutCreateInput
    ) -> CheckoutPayload:
        language = input.language_code.value if input.language_code else current_language()
        checkout = services.checkout_create(
            user=info.context.user,
            email=input.email or "",
            lines=_lines(input.lines, new=True),
            language_code=language,
        )
        return _payload(checkout)

    @strawberry.mutation(description="Add units to the cart (to a variant's line if it has one).")
    @checkout_mutation
    def checkout_lines_add(
        self, info: Info[ShopContext, None], input: CheckoutLinesInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        return _payload(services.checkout_lines_add(checkout=checkout, lines=_lines(input.lines)))

    @strawberry.mutation(description="Set the quantities of the cart's lines; 0 removes a line.")
    @checkout_mutation
    def checkout_lines_update(
        self, info: Info[ShopContext, None], input: CheckoutLinesInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        return _payload(
            services.checkout_lines_update(checkout=checkout, lines=_lines(input.lines))
        )

    @strawberry.mutation(description="Remove the lines of the given variants.")
    @checkout_mutation
    def checkout_lines_delete(
        self, info: Info[ShopContext, None], input: CheckoutLinesDeleteInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        variants = fetch_many(
            ProductVariant,
            "ProductVariant",
            input.variant_ids,
            codes=CheckoutErrorCode,
            field="variantIds",
        )
        return _payload(services.checkout_lines_delete(checkout=checkout, variants=variants))

    @strawberry.mutation
    @checkout_mutation
    def checkout_email_update(
        self, info: Info[ShopContext, None], input: CheckoutEmailUpdateInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        return _payload(services.checkout_email_update(checkout=checkout, email=input.email))

    @strawberry.mutation(description="Set the delivery address (in Spain).")
    @checkout_mutation
    def checkout_shipping_address_update(
        self, info: Info[ShopContext, None], input: CheckoutAddressUpdateInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        return _payload(
            services.checkout_shipping_address_update(
                checkout=checkout, address=_address(input.address)
            )
        )

    @strawberry.mutation
    @checkout_mutation
    def checkout_billing_address_update(
        self, info: Info[ShopContext, None], input: CheckoutBillingAddressUpdateInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        return _payload(
            services.checkout_billing_address_update(
                checkout=checkout, address=_address(input.address)
            )
        )

    @strawberry.mutation(description="Choose one of `availableShippingMethods`.")
    @checkout_mutation
    def checkout_shipping_method_update(
        self, info: Info[ShopContext, None], input: CheckoutShippingMethodUpdateInput
    ) -> CheckoutPayload:
        checkout = _checkout(info, input.token)
        # Found by the service among the methods available (no read of its own).
        method_id = decode_id(input.shipping_method_id, "ShippingMethod")
        if method_id is None:
            raise not_found("shippingMethodId", CheckoutErrorCode)
        point = None
        if input.pickup_point_id is not None:
            point = fetch(
                models.PickupPoint,
                "PickupPoint",
                input.pickup_point_id,
                codes=CheckoutErrorCode,
                field="pickupPointId",
            )
        return _payload(
            services.checkout_shipping_method_update(
                checkout=checkout, method=method_id, pickup_point=point
            )
        )

    @strawberry.mutation(
        description="Signed in: take over an anonymous checkout, merging it into your cart."
    )
    @mutation(CheckoutPayload, checkout_errors, signed_in=True, not_found="token")
    def checkout_customer_attach(
        self, info: Info[ShopContext, None], input: CheckoutTokenInput, actor: User
    ) -> CheckoutPayload:
        checkout = selectors.checkout_for(info.context.user, token=input.token)
        return _payload(services.checkout_customer_attach(checkout=checkout, user=actor))

    @strawberry.mutation(
        description=(
            "Reserve the cart's stock and start paying its total with a method. Repeating it "
            "for the same cart and choices returns the payment already started."
        )
    )
    @mutation(CheckoutPaymentStartPayload, checkout_errors, not_found="token")
    def checkout_payment_start(
        self, info: Info[ShopContext, None], input: CheckoutPaymentStartInput
    ) -> CheckoutPaymentStartPayload:
        checkout = _checkout(info, input.token)
        options = {
            name: value
            for name, value in (
                ("contract", input.water_contract),
                ("installments", input.installments),
            )
            if value is not None
        }
        payment, session = services.checkout_payment_start(
            checkout=checkout,
            method_code=input.method.value,
            options=options,
            accepted=accepted_documents(
                privacy_policy=input.accept_privacy_policy,
                terms_of_sale=input.accept_terms_of_sale,
            ),
        )
        return CheckoutPaymentStartPayload(
            # The checkout as the service locked it (a started payment has one).
            checkout=CheckoutType(checkout=payment.checkout),  # type: ignore[arg-type]
            payment=PaymentSession(
                method=input.method,
                status=payment.status,
                amount=money(payment.amount),
                client_data=session.client_data,  # type: ignore[arg-type]
            ),
        )

    @strawberry.mutation(
        description="Place the order once the payment is done. Repeating it returns the same order."
    )
    @mutation(CheckoutCompletePayload, checkout_errors, not_found="token")
    def checkout_complete(
        self, info: Info[ShopContext, None], input: CheckoutCompleteInput
    ) -> CheckoutCompletePayload:
        user = info.context.user
        try:
            order = services.checkout_complete(
                checkout=selectors.CheckoutRef(user, input.token),
                actor=user,
                accepted=accepted_documents(
                    privacy_policy=input.accept_privacy_policy,
                    terms_of_sale=input.accept_terms_of_sale,
                ),
            )
        except NotFound:
            # Placed already (perhaps by a duplicate request a moment ago): the
            # same order, for whoever may see the checkout it came from.
            order = selectors.order_placed_from(user, checkout_token=input.token)
        return CheckoutCompletePayload(order=order)  # type: ignore[arg-type]
