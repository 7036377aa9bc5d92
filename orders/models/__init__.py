"""The orders app's tables: shipping, checkouts (carts), orders and payments."""

from orders.models.checkout import Checkout, CheckoutLine, Reservation
from orders.models.claim import Claim, ClaimAttachment, ClaimEvent, ClaimLine, ClaimMessage
from orders.models.order import (
    Allocation,
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
)
from orders.models.payment import Payment, PaymentTransaction, ProviderEvent
from orders.models.shipping import (
    PickupPoint,
    PostalCodeRule,
    ShippingMethod,
    ShippingVersion,
    ShippingZone,
)

__all__ = [
    "Allocation",
    "Checkout",
    "CheckoutLine",
    "Claim",
    "ClaimAttachment",
    "ClaimEvent",
    "ClaimLine",
    "ClaimMessage",
    "Fulfillment",
    "FulfillmentLine",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "PaymentTransaction",
    "PickupPoint",
    "PostalCodeRule",
    "ProviderEvent",
    "Reservation",
    "ShippingMethod",
    "ShippingVersion",
    "ShippingZone",
]
