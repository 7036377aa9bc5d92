import pytest

from tests.accounts.utils import db_state, global_id
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = """
{
  me {
    id email firstName lastName languageCode isStaff
    addresses { id postalCode city province isDefaultShipping isDefaultBilling }
  }
}
"""

ACCOUNT_UPDATE = """
mutation Update($input: AccountUpdateInput!) {
  accountUpdate(input: $input) {
    user { id firstName lastName languageCode }
    errors { field code message }
  }
}
"""


def test_me_is_null_for_guests(gql):
    # when
    body = gql(ME)

    # then
    assert body == {"data": {"me": None}}


def test_me_returns_the_signed_in_user_with_addresses(gql):
    # given
    user = UserFactory(email="ana@example.com", first_name="Ana", last_name="López")
    home = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)
    work = AddressFactory(user=user, postal_code="28001", city="Madrid", province="Madrid")
    AddressFactory()  # somebody else's

    # when
    body = gql(ME, user=user)

    # then
    assert body == {
        "data": {
            "me": {
                "id": global_id("User", user.pk),
                "email": "ana@example.com",
                "firstName": "Ana",
                "lastName": "López",
                "languageCode": "ES",
                "isStaff": False,
                "addresses": [
                    {
                        "id": global_id("Address", home.pk),
                        "postalCode": "41001",
                        "city": "Sevilla",
                        "province": "Sevilla",
                        "isDefaultShipping": True,
                        "isDefaultBilling": True,
                    },
                    {
                        "id": global_id("Address", work.pk),
                        "postalCode": "28001",
                        "city": "Madrid",
                        "province": "Madrid",
                        "isDefaultShipping": False,
                        "isDefaultBilling": False,
                    },
                ],
            }
        }
    }


def test_me_with_addresses_takes_a_fixed_number_of_queries(gql, django_assert_num_queries):
    # given
    user = UserFactory()
    AddressFactory.create_batch(4, user=user)

    # when / then: the user from the token, then the addresses
    with django_assert_num_queries(2):
        body = gql(ME, user=user)
    assert len(body["data"]["me"]["addresses"]) == 4


def test_account_update_changes_names_and_language(gql):
    # given
    user = UserFactory(first_name="Ana", last_name="López", language_code="es")

    # when
    body = gql(
        ACCOUNT_UPDATE,
        {"input": {"firstName": " Beatriz ", "lastName": "Martín", "languageCode": "EN"}},
        user=user,
    )

    # then
    assert body == {
        "data": {
            "accountUpdate": {
                "user": {
                    "id": global_id("User", user.pk),
                    "firstName": "Beatriz",
                    "lastName": "Martín",
                    "languageCode": "EN",
                },
                "errors": [],
            }
        }
    }
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.language_code) == ("Beatriz", "Martín", "en")


def test_account_update_keeps_the_fields_not_given(gql):
    # given
    user = UserFactory(first_name="Ana", last_name="López", language_code="en")

    # when
    body = gql(ACCOUNT_UPDATE, {"input": {"lastName": "Ruiz"}}, user=user)

    # then
    assert body["data"]["accountUpdate"] == {
        "user": {
            "id": global_id("User", user.pk),
            "firstName": "Ana",
            "lastName": "Ruiz",
            "languageCode": "EN",
        },
        "errors": [],
    }
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.language_code) == ("Ana", "Ruiz", "en")


def test_account_update_touches_only_the_caller(gql):
    # given
    user = UserFactory(first_name="Ana")
    other = UserFactory(first_name="Carmen")
    other_before = list(type(other).objects.filter(pk=other.pk).values())

    # when
    gql(ACCOUNT_UPDATE, {"input": {"firstName": "Beatriz"}}, user=user)

    # then
    assert list(type(other).objects.filter(pk=other.pk).values()) == other_before


def test_account_update_as_a_guest_is_refused(gql):
    # given
    UserFactory(first_name="Ana")
    before = db_state()

    # when
    body = gql(ACCOUNT_UPDATE, {"input": {"firstName": "Eve"}})

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You need to sign in to do this.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["accountUpdate"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before
