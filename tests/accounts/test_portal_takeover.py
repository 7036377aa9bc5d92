"""A local (password) account never takes over a portal identity, nor the reverse."""

import pytest

from billing_bridge.models import ContractLink
from shop.accounts.models import User
from tests.accounts.portal_tokens import SECRET, claims, contract, hs256, refused, sign_in
from tests.accounts.utils import bearer, db_state
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.factories.orders import place_order
from tests.operations import operation

pytestmark = pytest.mark.django_db

EMAIL_IN_USE = refused(
    "PORTAL_EMAIL_IN_USE",
    "This e-mail address already belongs to a shop account. Sign in with its password, "
    "or contact us to use the shop through the customer portal.",
    field=None,
)
INACTIVE = refused(
    "INACTIVE", "This account cannot sign in through the customer portal.", field=None
)
REGISTER = operation("storefront/AccountRegister")
TOKEN_CREATE = operation("storefront/TokenCreate")


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = "https://oficina.aguas.example"


def _password_sign_in(gql, email, password=PASSWORD):
    body = gql(TOKEN_CREATE, {"input": {"email": email, "password": password}})
    return body["data"]["tokenCreate"]


def _order_numbers(gql, token):
    body = gql(operation("storefront/MyOrders"), headers=bearer(token))
    return [edge["node"]["number"] for edge in body["data"]["me"]["orders"]["edges"]]


def test_portal_sign_in_with_a_local_accounts_email_is_refused_and_changes_nothing(gql):
    # given
    local = UserFactory(email="lucia.romero@correo.example")
    place_order(user=local, email=local.email)
    contract("41000123")
    before = db_state()
    links = list(ContractLink.objects.values())

    # when
    payload = sign_in(gql, hs256(claims(email="Lucia.Romero@CORREO.example")))

    # then
    assert payload == EMAIL_IN_USE
    assert db_state() == before
    assert list(ContractLink.objects.values()) == links == []
    local.refresh_from_db()
    assert local.portal_subject is None
    signed_in = _password_sign_in(gql, "lucia.romero@correo.example")
    assert signed_in["errors"] == []
    assert len(_order_numbers(gql, signed_in["token"])) == 1


def test_registering_a_portal_customers_email_gives_no_access_to_it(gql):
    # given
    contract("41000123")
    portal = sign_in(gql, hs256(claims()))
    before = db_state()

    # when
    registered = gql(
        REGISTER,
        {"input": {"email": "LUCIA.ROMERO@correo.example", "password": "un-intruso-con-clave-9"}},
    )
    signed_in = _password_sign_in(gql, "lucia.romero@correo.example", "un-intruso-con-clave-9")

    # then
    assert registered["data"]["accountRegister"] == {
        "user": None,
        "errors": [
            {
                "field": "email",
                "code": "UNIQUE",
                "message": "An account with this e-mail already exists.",
            }
        ],
    }
    assert signed_in["errors"] == [
        {"field": None, "code": "INVALID_CREDENTIALS", "message": "Wrong e-mail or password."}
    ]
    assert db_state() == before
    assert portal["errors"] == []


def test_a_portal_customer_never_signs_in_with_a_password_even_one_set_by_hand(gql):
    # given
    sign_in(gql, hs256(claims()))
    customer = User.objects.get()
    customer.set_password(PASSWORD)
    customer.save(update_fields=["password"])

    # when
    payload = _password_sign_in(gql, "lucia.romero@correo.example")

    # then
    assert payload["token"] is None
    assert payload["errors"] == [
        {"field": None, "code": "INVALID_CREDENTIALS", "message": "Wrong e-mail or password."}
    ]


def test_portal_email_change_to_a_local_accounts_email_keeps_both_accounts_apart(gql):
    # given: the portal customer and a local account, each with an order
    local = UserFactory(email="ana@example.com")
    local_order = place_order(user=local, email=local.email)
    first = sign_in(gql, hs256(claims()))
    portal_user = User.objects.get(portal_subject="OV-1")
    portal_order = place_order(user=portal_user, email=portal_user.email)

    # when: the portal now says the customer's e-mail is the local account's
    payload = sign_in(gql, hs256(claims(email="ana@example.com")))
    local_sign_in = _password_sign_in(gql, "ana@example.com")

    # then
    assert payload["errors"] == []
    assert payload["user"]["id"] == first["user"]["id"]
    assert payload["user"]["email"] == "lucia.romero@correo.example"
    assert _order_numbers(gql, payload["token"]) == [portal_order.number]
    assert _order_numbers(gql, local_sign_in["token"]) == [local_order.number]
    local.refresh_from_db()
    assert (local.email, local.portal_subject) == ("ana@example.com", None)


def test_another_portal_customer_with_the_same_email_is_refused(gql):
    # given
    sign_in(gql, hs256(claims()))
    before = db_state()

    # when
    payload = sign_in(gql, hs256(claims(sub="OV-2")))

    # then
    assert payload == EMAIL_IN_USE
    assert db_state() == before


def test_a_deactivated_portal_customer_is_refused(gql):
    # given
    sign_in(gql, hs256(claims()))
    User.objects.update(is_active=False)
    before = db_state()

    # when
    payload = sign_in(gql, hs256(claims(name="Otro Nombre")))

    # then
    assert payload == INACTIVE
    assert db_state() == before


def test_the_portal_cannot_sign_in_a_staff_member(gql):
    # given: a staff account somehow given a portal identity
    staff = StaffFactory(email="staff@tienda-agua.example", portal_subject="OV-1")
    contract("41000123")
    before = db_state()

    # when
    payload = sign_in(gql, hs256(claims(email="staff@tienda-agua.example")))

    # then
    assert payload == INACTIVE
    assert db_state() == before
    assert not ContractLink.objects.filter(user=staff).exists()
