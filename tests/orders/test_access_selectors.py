"""The access rules in orders.selectors: one NotFound for "missing" and "not
yours", so a caller cannot tell somebody else's order, claim or checkout from
one that does not exist."""

from __future__ import annotations

import uuid

import pytest

from orders import models, selectors, services
from orders.services import claims
from shop.accounts import roles
from shop.errors import NotFound
from tests.factories import StaffFactory, UserFactory
from tests.factories.orders import place_order, ready_checkout, staff_in_role

pytestmark = pytest.mark.django_db


def _claim(order: models.Order) -> models.Claim:
    """A claim on ``order``, shipped first (only shipped orders can be claimed)."""
    line = order.lines.get()
    services.order_fulfill(
        actor=staff_in_role(roles.ORDER_MANAGER), order=order, quantities=[(line, line.quantity)]
    )
    return claims.claim_create(
        actor=order.user, order=order, reason="damaged", description="Roto.", lines=[(line, 1)]
    )


def test_order_for_finds_the_customers_own_order_by_id():
    customer = UserFactory()
    order = place_order(user=customer)

    assert selectors.order_for(customer, id=order.pk) == order


def test_order_for_refuses_another_customers_order_as_if_it_did_not_exist():
    order = place_order(user=UserFactory())
    stranger = UserFactory()

    with pytest.raises(NotFound) as theirs:
        selectors.order_for(stranger, id=order.pk)
    with pytest.raises(NotFound) as missing:
        selectors.order_for(stranger, id=order.pk + 1000)

    assert type(theirs.value) is type(missing.value)
    assert str(theirs.value) == str(missing.value)


def test_order_for_guests_by_token_only():
    order = place_order(user=UserFactory())

    assert selectors.order_for(None, token=order.token) == order
    with pytest.raises(NotFound):
        selectors.order_for(None, id=order.pk)
    with pytest.raises(NotFound):
        selectors.order_for(None, token=uuid.uuid4())


def test_order_for_staff_needs_the_staff_permission_asked_for():
    order = place_order(user=UserFactory())
    viewer = StaffFactory(permissions=["orders.view_order"])

    assert selectors.order_for(viewer, id=order.pk) == order
    with pytest.raises(NotFound):
        selectors.order_for(viewer, id=order.pk, staff_permission="orders.change_order")
    with pytest.raises(NotFound):
        selectors.order_for(viewer, id=order.pk, staff_permission=None)


def test_order_for_with_payment_sums_reads_the_ledger_in_the_same_query(
    django_assert_num_queries,
):
    customer = UserFactory()
    placed = place_order(user=customer)

    with django_assert_num_queries(1):
        order = selectors.order_for(customer, id=placed.pk, payment_sums=True)
        balance = selectors.payment_balance(order)

    assert balance.charged == placed.total_gross


def test_checkout_for_a_customers_checkout_is_theirs_alone():
    customer = UserFactory()
    checkout = ready_checkout(user=customer)

    assert selectors.checkout_for(customer, token=checkout.token) == checkout
    for other in (None, UserFactory()):
        with pytest.raises(NotFound):
            selectors.checkout_for(other, token=checkout.token)


def test_checkout_for_an_anonymous_checkout_is_whoever_holds_the_token():
    checkout = ready_checkout()

    assert selectors.checkout_for(None, token=checkout.token) == checkout
    assert selectors.checkout_for(UserFactory(), token=str(checkout.token)) == checkout
    with pytest.raises(NotFound):
        selectors.checkout_for(None, token="not-a-uuid")


def test_order_placed_from_a_checkout_for_whoever_could_use_that_checkout():
    customer = UserFactory()
    checkout = ready_checkout(user=customer)
    services.checkout_payment_start(checkout=checkout, method_code="card")
    order = services.checkout_complete(checkout=checkout, actor=customer)

    assert selectors.order_placed_from(customer, checkout_token=order.checkout_token) == order
    for other in (None, UserFactory()):
        with pytest.raises(NotFound):
            selectors.order_placed_from(other, checkout_token=order.checkout_token)


def test_claim_for_its_customer_the_token_holder_and_claims_staff_only():
    customer = UserFactory()
    claim = _claim(place_order(user=customer))
    token = claim.order.token

    assert selectors.claim_for(customer, id=claim.pk) == claim
    assert selectors.claim_for(None, id=claim.pk, order_token=token) == claim
    assert (
        selectors.claim_for(StaffFactory(permissions=["orders.view_claim"]), id=claim.pk) == claim
    )
    for other, order_token in ((UserFactory(), None), (None, uuid.uuid4()), (StaffFactory(), None)):
        with pytest.raises(NotFound):
            selectors.claim_for(other, id=claim.pk, order_token=order_token)


def test_is_claim_customer_tells_the_customer_from_staff():
    customer = UserFactory()
    claim = _claim(place_order(user=customer))
    staff = StaffFactory(permissions=["orders.change_claim"])

    assert selectors.is_claim_customer(customer, claim, order_token=None) is True
    assert selectors.is_claim_customer(None, claim, order_token=claim.order.token) is True
    assert selectors.is_claim_customer(staff, claim, order_token=None) is False
