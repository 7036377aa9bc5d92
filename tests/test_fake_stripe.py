"""The fake Stripe API (tests/fake_stripe.py) against the real stripe SDK."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import stripe
from django.conf import settings as django_settings

from tests.fake_stripe import FakeStripe, sign

CREATE: Any = {
    "amount": 1234,
    "currency": "eur",
    "metadata": {"checkout": "chk_1", "order": "W-1001"},
    "automatic_payment_methods": {"enabled": True},
}


@pytest.fixture
def client(fake_stripe: FakeStripe) -> stripe.StripeClient:
    return fake_stripe.client(timeout=1)


def _paid_intent(client: stripe.StripeClient, amount: int = 1234) -> Any:
    intent = client.v1.payment_intents.create({**CREATE, "amount": amount})
    return client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})


def test_create_retrieve_update(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(
        {**CREATE, "receipt_email": "ana@example.com"}, options={"idempotency_key": "k-create"}
    )

    assert isinstance(intent, stripe.PaymentIntent)
    assert intent.id.startswith("pi_")
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert intent.status == "requires_payment_method"
    assert (intent.amount, intent.currency, intent.amount_received) == (1234, "eur", 0)
    assert intent.latest_charge is None
    assert intent.metadata.to_dict() == {"checkout": "chk_1", "order": "W-1001"}
    assert intent.automatic_payment_methods.enabled is True
    recorded = fake_stripe.requests[-1]
    assert (recorded.method, recorded.path, recorded.idempotency_key) == (
        "POST",
        "/v1/payment_intents",
        "k-create",
    )
    assert recorded.params["metadata"] == {"checkout": "chk_1", "order": "W-1001"}
    assert recorded.params["automatic_payment_methods"] == {"enabled": "true"}

    assert client.v1.payment_intents.retrieve(intent.id).to_dict() == intent.to_dict()

    updated = client.v1.payment_intents.update(
        intent.id, {"amount": 2000, "metadata": {"order": "", "basket": "b2"}}
    )
    assert updated.amount == 2000
    assert updated.metadata.to_dict() == {"checkout": "chk_1", "basket": "b2"}
    assert fake_stripe.intent(intent.id)["amount"] == 2000
    assert fake_stripe.requests_to("/v1/payment_intents/", method="GET")[0].params == {}


def test_request_validation(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.retrieve("pi_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.payment_intents.create({**CREATE, "amout": 5})  # type: ignore[typeddict-unknown-key]
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "amout")

    with pytest.raises(stripe.InvalidRequestError) as small:
        client.v1.payment_intents.create({**CREATE, "amount": 10})
    assert small.value.code == "amount_too_small"

    with pytest.raises(stripe.AuthenticationError):
        fake_stripe.client(api_key="sk_live_nope").v1.payment_intents.retrieve("pi_x")
    assert fake_stripe.intents == {}


def test_confirm_succeeds_and_then_the_intent_is_frozen(
    fake_stripe: FakeStripe, client: stripe.StripeClient
) -> None:
    paid = _paid_intent(client)

    assert paid.status == "succeeded"
    assert paid.amount_received == 1234
    assert paid.latest_charge.startswith("ch_")
    expanded = client.v1.payment_intents.retrieve(paid.id, {"expand": ["latest_charge"]})
    assert expanded.latest_charge.amount_captured == 1234
    for attempt in (
        lambda: client.v1.payment_intents.update(paid.id, {"amount": 1}),
        lambda: client.v1.payment_intents.cancel(paid.id),
        lambda: client.v1.payment_intents.confirm(paid.id, {"payment_method": "pm_card_visa"}),
    ):
        with pytest.raises(stripe.InvalidRequestError) as exc:
            attempt()
        assert exc.value.http_status == 400
        assert exc.value.code == "payment_intent_unexpected_state"
    assert [e["type"] for e in fake_stripe.webhook_payloads_for(paid.id)] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]


def test_declined_card_and_3ds(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(CREATE)

    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_chargeDeclined"})
    assert declined.value.http_status == 402
    assert (declined.value.code, declined.value.error.decline_code) == (
        "card_declined",
        "generic_decline",
    )
    stored = fake_stripe.intent(intent.id)
    assert stored["status"] == "requires_payment_method"
    assert stored["last_payment_error"]["code"] == "card_declined"

    action = client.v1.payment_intents.confirm(
        intent.id, {"payment_method": "pm_card_threeDSecure2Required"}
    )
    assert action.status == "requires_action"
    assert action.next_action.type == "use_stripe_sdk"

    fake_stripe.succeed(intent.id)  # the shopper passed 3-D Secure in Stripe.js
    done = client.v1.payment_intents.retrieve(intent.id)
    assert (done.status, done.amount_received) == ("succeeded", 1234)
    assert done.latest_charge in fake_stripe.charges


def test_helpers_and_cancel(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(CREATE)
    assert fake_stripe.require_action(intent.id)["status"] == "requires_action"
    failed = fake_stripe.fail(intent.id, decline_code="insufficient_funds")
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"]["decline_code"] == "insufficient_funds"

    canceled = client.v1.payment_intents.cancel(
        intent.id, {"cancellation_reason": "abandoned"}, options={"idempotency_key": "k-cancel"}
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    with pytest.raises(ValueError, match="status of canceled"):
        fake_stripe.succeed(intent.id)

    fake_stripe.reset()
    assert (fake_stripe.intents, fake_stripe.requests, fake_stripe.events) == ({}, [], [])


def test_refunds(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    paid = _paid_intent(client, amount=1000)

    partial = client.v1.refunds.create(
        {"payment_intent": paid.id, "amount": 300}, options={"idempotency_key": "k-r1"}
    )
    assert isinstance(partial, stripe.Refund)
    assert (partial.status, partial.amount) == ("succeeded", 300)
    assert partial.charge == paid.latest_charge
    with pytest.raises(stripe.InvalidRequestError) as too_large:
        client.v1.refunds.create({"payment_intent": paid.id, "amount": 701})
    assert too_large.value.code == "amount_too_large"

    rest = client.v1.refunds.create({"payment_intent": paid.id})
    assert rest.amount == 700
    assert client.v1.refunds.retrieve(rest.id).to_dict() == rest.to_dict()
    charge = fake_stripe.charge(paid.latest_charge)
    assert (charge["amount_refunded"], charge["refunded"]) == (1000, True)
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create({"payment_intent": paid.id, "amount": 1})
    assert again.value.code == "charge_already_refunded"
    assert len(fake_stripe.refunds) == 2

    unpaid = client.v1.payment_intents.create(CREATE)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create({"payment_intent": unpaid.id})
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.refunds.retrieve("re_nope")
    assert missing.value.http_status == 404


def test_idempotent_replay(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    options: Any = {"idempotency_key": "checkout-1-attempt-1"}
    first = client.v1.payment_intents.create(CREATE, options=options)
    second = client.v1.payment_intents.create(CREATE, options=options)

    assert second.to_dict() == first.to_dict()
    assert len(fake_stripe.intents) == 1
    assert fake_stripe.idempotent_replays == 1
    assert len(fake_stripe.requests_to("/v1/payment_intents", method="POST")) == 2

    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create({**CREATE, "amount": 999}, options=options)

    # A stored error is replayed too: the decline is not retried with the same key.
    decline: Any = {"idempotency_key": "confirm-1"}
    pm: Any = {"payment_method": "pm_card_chargeDeclined"}
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            client.v1.payment_intents.confirm(first.id, pm, options=decline)
    assert len(fake_stripe.charges) == 1
    assert fake_stripe.idempotent_replays == 2


def test_injected_5xx_and_reset(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    options: Any = {"idempotency_key": "k-faults"}
    fake_stripe.fail_next(1, status=503)
    with pytest.raises(stripe.APIError) as server_error:
        client.v1.payment_intents.create(CREATE, options=options)
    assert server_error.value.http_status == 503

    fake_stripe.reset_next(1, path="/v1/payment_intents", method="POST")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.create(CREATE, options=options)
    assert fake_stripe.intents == {}  # neither reached the API

    fake_stripe.fail_next(1, path="/v1/refunds")  # does not match: not consumed
    created = client.v1.payment_intents.create(CREATE, options=options)
    assert list(fake_stripe.intents) == [created.id]

    fake_stripe.fail_next(1, status=429)
    with pytest.raises(stripe.RateLimitError):
        client.v1.payment_intents.retrieve(created.id)
    fake_stripe.clear_faults()
    client.v1.payment_intents.retrieve(created.id)


def test_timeout_before_processing(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    options: Any = {"idempotency_key": "k-slow"}
    fake_stripe.timeout_next(1)
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.create(CREATE, options=options)
    assert time.monotonic() - started < 2.5
    assert fake_stripe.intents == {}

    retried = client.v1.payment_intents.create(CREATE, options=options)
    assert list(fake_stripe.intents) == [retried.id]
    assert fake_stripe.idempotent_replays == 0


def test_a_slow_request_is_answered_late_and_others_are_not_held(
    fake_stripe: FakeStripe, client: stripe.StripeClient
) -> None:
    intent = _paid_intent(client)
    fake_stripe.slow_next(1, seconds=0.5, path="/v1/refunds", method="POST")
    answered: list[str] = []
    took: list[float] = []

    def refund() -> None:
        started = time.monotonic()
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 100})
        took.append(time.monotonic() - started)
        answered.append("refund")

    slow = threading.Thread(target=refund)
    slow.start()
    client.v1.payment_intents.retrieve(intent.id)
    answered.append("retrieve")
    slow.join(timeout=5)

    assert answered == ["retrieve", "refund"]
    assert took[0] >= 0.5
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [100]


def test_timeout_after_processing(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    """Stripe charged, the client timed out: the retry with the same key sees the charge."""
    intent = client.v1.payment_intents.create(CREATE)
    options: Any = {"idempotency_key": "k-confirm"}
    params: Any = {"payment_method": "pm_card_visa"}
    fake_stripe.timeout_next(1, after_processing=True, path=f"/v1/payment_intents/{intent.id}/")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.confirm(intent.id, params, options=options)
    assert fake_stripe.intent(intent.id)["status"] == "succeeded"

    retried = client.v1.payment_intents.confirm(intent.id, params, options=options)
    assert retried.status == "succeeded"
    assert retried.latest_charge == fake_stripe.intent(intent.id)["latest_charge"]
    assert len(fake_stripe.charges) == 1
    assert fake_stripe.idempotent_replays == 1


def test_refund_timeout_after_processing(
    fake_stripe: FakeStripe, client: stripe.StripeClient
) -> None:
    paid = _paid_intent(client)
    options: Any = {"idempotency_key": "k-refund"}
    fake_stripe.timeout_next(1, after_processing=True, path="/v1/refunds")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.refunds.create({"payment_intent": paid.id}, options=options)
    [refund_id] = fake_stripe.refunds

    retried = client.v1.refunds.create({"payment_intent": paid.id}, options=options)
    assert retried.id == refund_id
    assert fake_stripe.charge(paid.latest_charge)["amount_refunded"] == 1234


def test_webhook_signature(fake_stripe: FakeStripe, client: stripe.StripeClient) -> None:
    paid = _paid_intent(client)
    events = fake_stripe.webhook_payloads_for(paid.id)
    [succeeded] = [e for e in events if e["type"] == "payment_intent.succeeded"]
    payload = json.dumps(succeeded).encode()
    header = sign(payload, "whsec_test")

    event = stripe.Webhook.construct_event(payload, header, "whsec_test")
    assert event.type == "payment_intent.succeeded"
    assert event.data.object.id == paid.id

    tampered = payload.replace(b'"succeeded"', b'"canceled"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, "whsec_test")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_other")
    stale = sign(payload, "whsec_test", timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, "whsec_test")

    built, built_header = fake_stripe.webhook("payment_intent.payment_failed", {"id": "pi_1"})
    assert stripe.Webhook.construct_event(built, built_header, "whsec_test").id.startswith("evt_")


def test_stripe_settings(stripe_settings: FakeStripe) -> None:
    assert stripe_settings.url == django_settings.STRIPE_API_BASE
    http_client = stripe.RequestsClient(timeout=django_settings.STRIPE_TIMEOUT_SECONDS)
    client = stripe.StripeClient(
        django_settings.STRIPE_SECRET_KEY,
        base_addresses={"api": django_settings.STRIPE_API_BASE},
        max_network_retries=django_settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=http_client,
    )
    try:
        intent = client.v1.payment_intents.create(CREATE, options={"idempotency_key": "k"})
    finally:
        http_client.close()
    assert stripe_settings.intent(intent.id)["status"] == "requires_payment_method"
    assert stripe_settings.requests[-1].headers["Authorization"] == "Bearer sk_test_fake"


def test_concurrent_retries_with_one_key_create_one_intent(fake_stripe: FakeStripe) -> None:
    options: Any = {"idempotency_key": "k-race"}
    ids: list[str] = []

    def create() -> None:
        http_client = stripe.RequestsClient(timeout=5)
        client = stripe.StripeClient(
            "sk_test_fake",
            base_addresses={"api": fake_stripe.url},
            max_network_retries=0,
            http_client=http_client,
        )
        try:
            ids.append(client.v1.payment_intents.create(CREATE, options=options).id)
        finally:
            http_client.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(ids) == 8
    assert set(ids) == set(fake_stripe.intents)
    assert len(set(ids)) == 1
    assert fake_stripe.idempotent_replays == 7
