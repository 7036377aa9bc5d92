import pytest
from django.contrib.auth.models import Permission

from tests.accounts.utils import db_state, global_id
from tests.factories import AddressFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on User { email }
    ... on Address { postalCode province }
  }
}
"""


def test_user_fetches_own_user_node(gql):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    body = gql(NODE, {"id": global_id("User", user.pk)}, user=user)

    # then
    assert body == {
        "data": {
            "node": {
                "__typename": "User",
                "id": global_id("User", user.pk),
                "email": "ana@example.com",
            }
        }
    }


def test_user_fetches_own_address_node(gql):
    # given
    address = AddressFactory()

    # when
    body = gql(NODE, {"id": global_id("Address", address.pk)}, user=address.user)

    # then
    assert body == {
        "data": {
            "node": {
                "__typename": "Address",
                "id": global_id("Address", address.pk),
                "postalCode": "41001",
                "province": "Sevilla",
            }
        }
    }


def test_another_users_user_node_is_null(gql):
    # given
    other = UserFactory()
    user = UserFactory()

    before = db_state()

    # when
    body = gql(NODE, {"id": global_id("User", other.pk)}, user=user)

    # then
    assert body == {"data": {"node": None}}
    assert db_state() == before


def test_another_users_address_node_is_null(gql):
    # given
    address = AddressFactory()
    user = UserFactory()

    before = db_state()

    # when
    body = gql(NODE, {"id": global_id("Address", address.pk)}, user=user)

    # then
    assert body == {"data": {"node": None}}
    assert db_state() == before


@pytest.mark.parametrize("type_name", ["User", "Address"])
def test_guest_gets_null_for_user_and_address_nodes(gql, type_name):
    # given
    address = AddressFactory()
    pk = address.user.pk if type_name == "User" else address.pk

    before = db_state()

    # when
    body = gql(NODE, {"id": global_id(type_name, pk)})

    # then
    assert body == {"data": {"node": None}}
    assert db_state() == before


def test_staff_with_view_user_fetches_a_customer_node(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    customer = UserFactory(email="ana@example.com")

    # when
    body = gql(NODE, {"id": global_id("User", customer.pk)}, user=staff)

    # then
    assert body == {
        "data": {
            "node": {
                "__typename": "User",
                "id": global_id("User", customer.pk),
                "email": "ana@example.com",
            }
        }
    }


def test_staff_without_view_user_gets_null_for_a_customer_node(gql):
    # given
    staff = StaffFactory()
    customer = UserFactory()

    before = db_state()

    # when
    body = gql(NODE, {"id": global_id("User", customer.pk)}, user=staff)

    # then
    assert body == {"data": {"node": None}}
    assert db_state() == before


def test_staff_with_view_address_fetches_a_customer_address_node(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_address"])
    address = AddressFactory()

    # when
    body = gql(NODE, {"id": global_id("Address", address.pk)}, user=staff)

    # then
    assert body == {
        "data": {
            "node": {
                "__typename": "Address",
                "id": global_id("Address", address.pk),
                "postalCode": "41001",
                "province": "Sevilla",
            }
        }
    }


def test_non_staff_user_holding_view_user_still_gets_null_for_another_user(gql):
    # given
    customer = UserFactory()
    customer.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="view_user")
    )
    other = UserFactory()

    before = db_state()

    # when
    body = gql(NODE, {"id": global_id("User", other.pk)}, user=customer)

    # then
    assert body == {"data": {"node": None}}
    assert db_state() == before
