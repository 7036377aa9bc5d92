"""Idempotency keys: built and read back by one module (orders.payments.keys)."""

from __future__ import annotations

import uuid

import pytest

from orders.payments import keys
from orders.payments.keys import ParsedKey, RefundReason

TOKEN = uuid.UUID("6f1c2f9e-5b0a-4d8e-9a39-0e3b1f7f5d11")
PAYMENT = f"checkout:{TOKEN}:card:2"


def test_a_payment_key_names_the_checkout_the_method_and_the_attempt():
    key = keys.payment_key(checkout_token=TOKEN, method="card", attempt=2)

    assert key == PAYMENT
    assert keys.parse(key) == ParsedKey(str(TOKEN), "card", 2, "payment")


def test_a_start_key_reads_back_with_its_checkout_version():
    key = keys.start_key(PAYMENT, checkout_version=7)

    assert key == f"{PAYMENT}:v7"
    assert keys.parse(key) == ParsedKey(str(TOKEN), "card", 2, "start", checkout_version=7)
    assert keys.parse(key).payment_key == PAYMENT


def test_a_charge_key_reads_back_as_the_charge_of_its_payment():
    key = keys.charge_key(PAYMENT)

    assert key == f"{PAYMENT}:charge"
    assert keys.parse(key) == ParsedKey(str(TOKEN), "card", 2, "charge")


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (RefundReason.SUPERSEDED, "superseded"),
        (RefundReason.UNPLACED, "unplaced"),
        (RefundReason.CANCELLED, "cancel"),
    ],
)
def test_the_shops_refund_keys_keep_their_stored_spelling(reason, text):
    key = keys.refund_key(PAYMENT, reason)

    assert key == f"{PAYMENT}:refund:{text}"
    parsed = keys.parse(key)
    assert (parsed.kind, parsed.reason, parsed.payment_key, parsed.staff_key) == (
        "refund",
        text,
        PAYMENT,
        None,
    )


def test_a_staff_refund_key_gives_back_the_callers_key_even_with_colons_in_it():
    key = keys.refund_key(PAYMENT, keys.staff_reason("admin:42:a", 1))

    assert key == f"{PAYMENT}:refund:staff:admin:42:a:1"
    parsed = keys.parse(key)
    assert (parsed.kind, parsed.reason, parsed.staff_key, parsed.payment_key) == (
        "refund",
        "staff:admin:42:a:1",
        "admin:42:a",
        PAYMENT,
    )


def test_a_claims_refund_keys_are_found_by_its_fragment_and_no_other_claims():
    first = keys.refund_key(PAYMENT, keys.staff_reason(keys.claim_refund_key(1, 0), 0))
    other = keys.refund_key(PAYMENT, keys.staff_reason(keys.claim_refund_key(12, 0), 0))

    assert first == f"{PAYMENT}:refund:staff:claim-1-0:0"
    assert keys.claim_refunds_containing(1) in first
    assert keys.claim_refunds_containing(1) not in other
    assert keys.parse(first).staff_key == "claim-1-0"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "superseded",
        f"order:{TOKEN}:card:1",
        f"checkout:{TOKEN}:card",
        f"checkout:{TOKEN}:card:one",
        f"checkout:{TOKEN}:card:1:refund",
        f"checkout:{TOKEN}:card:1:refund:",
        f"checkout:{TOKEN}:card:1:vx",
        f"checkout:{TOKEN}:card:1:capture",
    ],
)
def test_strings_this_module_did_not_build_are_not_read_as_keys(text):
    with pytest.raises(ValueError, match="Not a payment key"):
        keys.parse(text)


@pytest.mark.parametrize(("method", "attempt"), [("ca:rd", 1), ("card", 0)])
def test_no_payment_key_that_could_not_be_read_back_is_built(method, attempt):
    with pytest.raises(ValueError, match="No payment key"):
        keys.payment_key(checkout_token=TOKEN, method=method, attempt=attempt)
