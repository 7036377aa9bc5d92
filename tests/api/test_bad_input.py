"""Bad input is the client's error: a top-level error with a code in ``extensions``,
never the masked "Unexpected error.", and nothing logged as a server error."""

import logging

import pytest
from strawberry import relay

from catalog.models import Warehouse
from shop.accounts import roles
from tests.catalog.storefront_factories import EN, CollectionFactory, curate, customer
from tests.factories import StaffFactory
from tests.factories.catalog import ProductFactory, WarehouseFactory
from tests.factories.orders import staff_in_role

pytestmark = pytest.mark.django_db

BAD_CURSORS = [
    "",
    "zzz",
    relay.to_base64("arrayconnection", "abc"),
    relay.to_base64("arrayconnection", -1),
    relay.to_base64("arrayconnection", 10**30),
    relay.to_base64("arrayconnection", "²"),
    relay.to_base64("Product", 1),
    relay.to_base64("arrayconnection", "9" * 5000),
]


@pytest.fixture
def client_errors_only(caplog):
    """Fails the test if anything was logged at ERROR or with a traceback."""
    caplog.set_level(logging.INFO)
    yield
    records = caplog.get_records("call")
    assert [r.getMessage() for r in records if r.levelno >= logging.ERROR] == []
    assert [r.getMessage() for r in records if r.exc_info] == []


def codes(body):
    return [
        (error["message"], error.get("path"), error.get("extensions")) for error in body["errors"]
    ]


@pytest.mark.parametrize("argument", ["after", "before"])
@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_an_invalid_cursor_is_refused_with_its_code(gql, client_errors_only, argument, cursor):
    ProductFactory()
    query = f"query($c: String) {{ products(first: 2, {argument}: $c) {{ totalCount }} }}"
    body = gql(query, {"c": cursor}, headers=EN)
    assert body["data"] is None
    assert codes(body) == [
        (f"'{argument}' is not a valid cursor.", ["products"], {"code": "INVALID_CURSOR"})
    ]


def _collection_products():
    curate(CollectionFactory(), ProductFactory())
    return None, "{ collections { products(first: 2, after: $c) { totalCount } } }", "collections"


def _staff_list(name, role):
    def given():
        return staff_in_role(role), f"{{ {name}(first: 2, after: $c) {{ totalCount }} }}", name

    return given


def _my_list(name):
    def given():
        return customer(), f"{{ me {{ {name}(first: 2, after: $c) {{ totalCount }} }} }}", "me"

    return given


@pytest.mark.parametrize(
    "given",
    [
        _collection_products,
        _staff_list("orders", roles.ORDER_MANAGER),
        _staff_list("claims", roles.ORDER_MANAGER),
        _staff_list("customers", roles.SHOP_ADMINISTRATOR),
        _my_list("orders"),
        _my_list("claims"),
    ],
    ids=["collections.products", "orders", "claims", "customers", "me.orders", "me.claims"],
)
@pytest.mark.parametrize("cursor", ["", "zzz"])
def test_every_list_refuses_an_invalid_cursor(gql, client_errors_only, given, cursor):
    user, selection, root = given()
    body = gql(f"query($c: String) {selection}", {"c": cursor}, user=user, headers=EN)
    [error] = body["errors"]
    assert error["message"] == "'after' is not a valid cursor."
    assert error["path"][0] == root
    assert error["extensions"] == {"code": "INVALID_CURSOR"}


def test_the_cursors_a_list_gives_still_page_through_it(gql):
    first, second = ProductFactory(name="Aljibe"), ProductFactory(name="Botijo")
    query = """query($after: String) { products(first: 1, after: $after, sortBy: {field: NAME}) {
        edges { node { slug } } pageInfo { endCursor } } }"""
    page = gql(query)["data"]["products"]
    after = gql(query, {"after": page["pageInfo"]["endCursor"]})["data"]["products"]
    assert [e["node"]["slug"] for e in page["edges"] + after["edges"]] == [first.slug, second.slug]


@pytest.mark.parametrize(
    "id",
    [
        "",
        "abc",
        "-5435",
        relay.to_base64("Foo", 1),
        relay.to_base64("Node", 1),
        relay.to_base64("Query", 1),
        relay.to_base64("ShopError", 1),
        relay.to_base64("Money", 1),
    ],
)
def test_node_with_a_malformed_id_is_refused_with_its_code(gql, client_errors_only, id):
    body = gql("query($id: ID!) { node(id: $id) { id } }", {"id": id}, headers=EN)
    assert body["data"] == {"node": None}
    assert codes(body) == [("'id' is not a valid ID.", ["node"], {"code": "INVALID_ID"})]


def test_node_with_a_well_formed_id_of_nothing_is_null(gql, client_errors_only):
    for pk in ("abc", 10**6, 2**63, "9" * 5000):
        id = relay.to_base64("Product", pk)
        body = gql("query($id: ID!) { node(id: $id) { id } }", {"id": id})
        assert body == {"data": {"node": None}}


WAREHOUSE_UPDATE = """mutation($id: ID!) {
  warehouseUpdate(input: {id: $id, warehouse: {name: "Otro"}}) { errors { field code } }
}"""


@pytest.mark.parametrize("id", ["", "abc", relay.to_base64("Warehouse", "9" * 5000)])
def test_a_malformed_id_in_a_mutation_input_is_a_not_found_payload_error(
    gql, client_errors_only, id
):
    warehouse = WarehouseFactory(name="Central")
    staff = StaffFactory(permissions=["catalog.change_warehouse"])
    body = gql(WAREHOUSE_UPDATE, {"id": id}, user=staff)
    assert body == {"data": {"warehouseUpdate": {"errors": [{"field": "id", "code": "NOT_FOUND"}]}}}
    assert Warehouse.objects.get(pk=warehouse.pk).name == "Central"


def test_an_anonymous_mutation_with_a_malformed_id_is_unauthenticated(gql, client_errors_only):
    body = gql(WAREHOUSE_UPDATE, {"id": ""}, headers=EN)
    assert codes(body) == [
        ("You need to sign in to do this.", ["warehouseUpdate"], {"code": "UNAUTHENTICATED"})
    ]


@pytest.mark.parametrize("field", ["shippingZones", "warehouses"])
def test_staff_lists_are_refused_to_guests_and_customers(gql, client_errors_only, field):
    query = f"{{ {field} {{ id }} }}"
    anonymous = gql(query, headers=EN)
    signed_in = gql(query, user=customer(), headers=EN)
    assert codes(anonymous) == [
        ("You need to sign in to do this.", [field], {"code": "UNAUTHENTICATED"})
    ]
    assert codes(signed_in) == [
        ("You do not have permission to do this.", [field], {"code": "PERMISSION_DENIED"})
    ]
