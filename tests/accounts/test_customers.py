import pytest

from tests.accounts.utils import db_state, global_id
from tests.factories import AddressFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = """
query Customers($first: Int, $after: String, $search: String) {
  customers(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id email } }
  }
}
"""

CUSTOMERS_WITH_ADDRESSES = """
{
  customers(first: 20) {
    totalCount
    edges { node { id email addresses { id postalCode province } } }
  }
}
"""


def _viewer():
    return StaffFactory(permissions=["accounts.view_user", "accounts.view_address"])


def test_customers_as_a_guest_is_refused(gql):
    # given
    UserFactory()

    before = db_state()

    # when
    body = gql(CUSTOMERS, {"first": 10})

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You need to sign in to do this.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["customers"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before


def test_customers_as_a_customer_is_refused(gql):
    # given
    customer = UserFactory()

    before = db_state()

    # when
    body = gql(CUSTOMERS, {"first": 10}, user=customer)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You do not have permission to do this.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["customers"],
                "extensions": {"code": "PERMISSION_DENIED"},
            }
        ],
    }
    assert db_state() == before


def test_customers_as_staff_without_the_permission_is_refused(gql):
    # given
    staff = StaffFactory()
    UserFactory()

    before = db_state()

    # when
    body = gql(CUSTOMERS, {"first": 10}, user=staff)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You do not have permission to do this.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["customers"],
                "extensions": {"code": "PERMISSION_DENIED"},
            }
        ],
    }
    assert db_state() == before


def test_customers_lists_customers_newest_first_without_staff(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    older = UserFactory(email="older@example.com")
    newer = UserFactory(email="newer@example.com")
    StaffFactory(email="colleague@example.com")

    # when
    body = gql(CUSTOMERS, {"first": 10}, user=staff)

    # then
    connection = body["data"]["customers"]
    assert body == {
        "data": {
            "customers": {
                "totalCount": 2,
                "pageInfo": {
                    "hasNextPage": False,
                    "hasPreviousPage": False,
                    "startCursor": connection["pageInfo"]["startCursor"],
                    "endCursor": connection["pageInfo"]["endCursor"],
                },
                "edges": [
                    {"node": {"id": global_id("User", newer.pk), "email": "newer@example.com"}},
                    {"node": {"id": global_id("User", older.pk), "email": "older@example.com"}},
                ],
            }
        }
    }


def test_customers_search_matches_email_and_names(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    UserFactory(email="ana@example.com", first_name="Ana", last_name="López")
    UserFactory(email="bea@example.com", first_name="Beatriz", last_name="Anaya")
    UserFactory(email="carmen@example.com", first_name="Carmen", last_name="Ruiz")

    # when
    body = gql(CUSTOMERS, {"first": 10, "search": " ana "}, user=staff)

    # then
    assert [edge["node"]["email"] for edge in body["data"]["customers"]["edges"]] == [
        "bea@example.com",
        "ana@example.com",
    ]
    assert body["data"]["customers"]["totalCount"] == 2


def test_customers_pages_with_first_and_after(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    customers = [UserFactory(email=f"c{n}@example.com") for n in range(3)]
    newest_first = [
        {"node": {"id": global_id("User", c.pk), "email": c.email}} for c in reversed(customers)
    ]

    # when
    page_1 = gql(CUSTOMERS, {"first": 2}, user=staff)["data"]["customers"]
    page_2 = gql(CUSTOMERS, {"first": 2, "after": page_1["pageInfo"]["endCursor"]}, user=staff)[
        "data"
    ]["customers"]

    # then
    assert page_1 == {
        "totalCount": 3,
        "pageInfo": {
            "hasNextPage": True,
            "hasPreviousPage": False,
            "startCursor": page_1["pageInfo"]["startCursor"],
            "endCursor": page_1["pageInfo"]["endCursor"],
        },
        "edges": newest_first[:2],
    }
    assert page_2 == {
        "totalCount": 3,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": True,
            "startCursor": page_2["pageInfo"]["startCursor"],
            "endCursor": page_2["pageInfo"]["endCursor"],
        },
        "edges": newest_first[2:],
    }
    assert page_2["pageInfo"]["startCursor"] != page_1["pageInfo"]["endCursor"]


def test_literal_first_above_100_is_refused_before_any_query(gql, django_assert_num_queries):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    UserFactory()

    before = db_state()

    # when
    with django_assert_num_queries(0):
        body = gql("{ customers(first: 101) { totalCount } }", user=staff)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "'first' must be between 0 and 100.",
                "locations": [{"line": 1, "column": 13}],
            }
        ],
    }
    assert db_state() == before


def test_literal_first_of_100_is_accepted(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    UserFactory()

    # when
    body = gql("{ customers(first: 100) { totalCount } }", user=staff)

    # then
    assert body == {"data": {"customers": {"totalCount": 1}}}


def test_first_above_100_in_a_variable_is_refused(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    UserFactory()

    before = db_state()

    # when
    body = gql(CUSTOMERS, {"first": 101}, user=staff)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "'first' must be between 0 and 100.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["customers"],
                "extensions": {"code": "PAGE_SIZE"},
            }
        ],
    }
    assert db_state() == before


def test_negative_first_in_a_variable_is_refused(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    UserFactory()

    before = db_state()

    # when
    body = gql(CUSTOMERS, {"first": -1}, user=staff)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "'first' must be between 0 and 100.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["customers"],
                "extensions": {"code": "PAGE_SIZE"},
            }
        ],
    }
    assert db_state() == before


def test_customers_with_addresses_show_each_customers_addresses(gql):
    # given
    staff = _viewer()
    ana = UserFactory(email="ana@example.com")
    home = AddressFactory(user=ana)
    bea = UserFactory(email="bea@example.com")
    AddressFactory(user=staff)

    # when
    body = gql(CUSTOMERS_WITH_ADDRESSES, user=staff)

    # then
    assert body == {
        "data": {
            "customers": {
                "totalCount": 2,
                "edges": [
                    {
                        "node": {
                            "id": global_id("User", bea.pk),
                            "email": "bea@example.com",
                            "addresses": [],
                        }
                    },
                    {
                        "node": {
                            "id": global_id("User", ana.pk),
                            "email": "ana@example.com",
                            "addresses": [
                                {
                                    "id": global_id("Address", home.pk),
                                    "postalCode": "41001",
                                    "province": "Sevilla",
                                }
                            ],
                        }
                    },
                ],
            }
        }
    }


@pytest.mark.parametrize("customer_count", [3, 6])
def test_customers_with_addresses_take_a_fixed_number_of_queries(
    gql, django_assert_num_queries, customer_count
):
    # given
    staff = _viewer()
    for _ in range(customer_count):
        AddressFactory.create_batch(2, user=UserFactory())
    before = db_state()

    # when: the staff member, their permissions (user, groups), customers, their count, addresses
    with django_assert_num_queries(6):
        body = gql(CUSTOMERS_WITH_ADDRESSES, user=staff)

    # then
    edges = body["data"]["customers"]["edges"]
    assert body["data"]["customers"]["totalCount"] == customer_count
    assert [len(edge["node"]["addresses"]) for edge in edges] == [2] * customer_count
    assert db_state() == before


def test_staff_without_view_address_sees_no_customer_addresses(gql):
    # given
    staff = StaffFactory(permissions=["accounts.view_user"])
    ana = UserFactory(email="ana@example.com")
    AddressFactory(user=ana)

    before = db_state()

    # when
    body = gql(CUSTOMERS_WITH_ADDRESSES, user=staff)

    # then
    assert body == {
        "data": {
            "customers": {
                "totalCount": 1,
                "edges": [
                    {
                        "node": {
                            "id": global_id("User", ana.pk),
                            "email": "ana@example.com",
                            "addresses": [],
                        }
                    }
                ],
            }
        }
    }
    assert db_state() == before
