"""Writes of the orders app, one module per area; names re-exported here."""

from orders.services.checkout import (
    checkout_billing_address_update,
    checkout_create,
    checkout_customer_attach,
    checkout_email_update,
    checkout_lines_add,
    checkout_lines_delete,
    checkout_lines_update,
    checkout_shipping_address_update,
    checkout_shipping_method_update,
)
from orders.services.orders import (
    TRANSITIONS,
    order_cancel,
    order_fulfill,
    order_note_add,
    order_refund,
    order_transition,
)
from orders.services.payments import checkout_complete, checkout_payment_start, payment_refund
from orders.services.shipping import (
    COUNTRY_CODES,
    PostalCodeRuleData,
    pickup_point_create,
    pickup_point_delete,
    pickup_point_update,
    shipping_method_create,
    shipping_method_delete,
    shipping_method_update,
    shipping_zone_create,
    shipping_zone_delete,
    shipping_zone_update,
)
from orders.services.stock import reservations_delete_expired

__all__ = [
    "COUNTRY_CODES",
    "TRANSITIONS",
    "PostalCodeRuleData",
    "checkout_billing_address_update",
    "checkout_complete",
    "checkout_create",
    "checkout_customer_attach",
    "checkout_email_update",
    "checkout_lines_add",
    "checkout_lines_delete",
    "checkout_lines_update",
    "checkout_payment_start",
    "checkout_shipping_address_update",
    "checkout_shipping_method_update",
    "order_cancel",
    "order_fulfill",
    "order_note_add",
    "order_refund",
    "order_transition",
    "payment_refund",
    "pickup_point_create",
    "pickup_point_delete",
    "pickup_point_update",
    "reservations_delete_expired",
    "shipping_method_create",
    "shipping_method_delete",
    "shipping_method_update",
    "shipping_zone_create",
    "shipping_zone_delete",
    "shipping_zone_update",
]
