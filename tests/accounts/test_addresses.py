import pytest

from shop.accounts.models import Address
from tests.accounts.utils import db_state, global_id
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS_FIELDS = """
  id firstName lastName companyName streetAddress1 streetAddress2 postalCode city province
  country phone isDefaultShipping isDefaultBilling
"""

CREATE = f"""
mutation Create($address: AddressInput!) {{
  accountAddressCreate(input: {{address: $address}}) {{
    address {{ {ADDRESS_FIELDS} }}
    user {{ addresses {{ id }} }}
    errors {{ field code message }}
  }}
}}
"""

UPDATE = f"""
mutation Update($id: ID!, $address: AddressInput!) {{
  accountAddressUpdate(input: {{id: $id, address: $address}}) {{
    address {{ {ADDRESS_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

DELETE = """
mutation Delete($id: ID!) {
  accountAddressDelete(input: {id: $id}) {
    user { addresses { id } }
    errors { field code message }
  }
}
"""

SET_DEFAULT = """
mutation SetDefault($id: ID!, $kind: AddressKind!) {
  accountSetDefaultAddress(input: {id: $id, kind: $kind}) {
    address { id isDefaultShipping isDefaultBilling }
    user { addresses { id isDefaultShipping isDefaultBilling } }
    errors { field code message }
  }
}
"""

SEVILLA = {
    "firstName": "Ana",
    "lastName": "López",
    "streetAddress1": "Calle Sierpes 12",
    "postalCode": "41001",
    "city": "Sevilla",
}

ADDRESS_NOT_FOUND = [{"field": "id", "code": "NOT_FOUND", "message": "Address not found."}]


def _defaults(user):
    return list(
        Address.objects.filter(user=user)
        .order_by("pk")
        .values_list("pk", "is_default_shipping", "is_default_billing")
    )


def test_create_saves_the_address_with_the_province_and_makes_it_the_default(gql):
    # given
    user = UserFactory()

    # when
    body = gql(
        CREATE,
        {
            "address": {
                **SEVILLA,
                "companyName": " Aguas SA ",
                "streetAddress2": "2º B",
                "phone": "+34 954 123 456",
                "country": "es",
            }
        },
        user=user,
    )

    # then
    address = Address.objects.get()
    assert body == {
        "data": {
            "accountAddressCreate": {
                "address": {
                    "id": global_id("Address", address.pk),
                    "firstName": "Ana",
                    "lastName": "López",
                    "companyName": "Aguas SA",
                    "streetAddress1": "Calle Sierpes 12",
                    "streetAddress2": "2º B",
                    "postalCode": "41001",
                    "city": "Sevilla",
                    "province": "Sevilla",
                    "country": "ES",
                    "phone": "+34 954 123 456",
                    "isDefaultShipping": True,
                    "isDefaultBilling": True,
                },
                "user": {"addresses": [{"id": global_id("Address", address.pk)}]},
                "errors": [],
            }
        }
    }
    assert address.user == user
    assert (address.province, address.country) == ("Sevilla", "ES")


@pytest.mark.parametrize(
    ("postal_code", "province"),
    [
        ("41001", "Sevilla"),
        ("07001", "Illes Balears"),
        ("35001", "Las Palmas"),
        ("38001", "Santa Cruz de Tenerife"),
        ("01001", "Álava"),
        ("52001", "Melilla"),
        (" 28 013 ", "Madrid"),
    ],
)
def test_province_is_derived_from_the_postal_code(gql, postal_code, province):
    # given
    user = UserFactory()

    # when
    body = gql(CREATE, {"address": {**SEVILLA, "postalCode": postal_code}}, user=user)

    # then
    created = body["data"]["accountAddressCreate"]
    assert created["errors"] == []
    assert created["address"]["province"] == province
    assert created["address"]["postalCode"] == postal_code.replace(" ", "")
    assert Address.objects.get().province == province


def test_second_address_is_not_a_default(gql):
    # given
    user = UserFactory()
    first = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)

    # when
    body = gql(CREATE, {"address": SEVILLA}, user=user)

    # then
    second = Address.objects.exclude(pk=first.pk).get()
    created = body["data"]["accountAddressCreate"]["address"]
    assert (created["isDefaultShipping"], created["isDefaultBilling"]) == (False, False)
    assert _defaults(user) == [(first.pk, True, True), (second.pk, False, False)]


def test_first_address_of_a_user_is_the_default_whatever_other_users_have(gql):
    # given
    AddressFactory(is_default_shipping=True, is_default_billing=True)
    user = UserFactory()

    # when
    body = gql(CREATE, {"address": SEVILLA}, user=user)

    # then
    created = body["data"]["accountAddressCreate"]["address"]
    assert (created["isDefaultShipping"], created["isDefaultBilling"]) == (True, True)


@pytest.mark.parametrize("postal_code", ["4100", "53000", "00123", "ABCDE", "410011", "99999"])
def test_invalid_postal_code_is_refused(gql, postal_code):
    # given
    user = UserFactory()
    before = db_state()

    # when
    body = gql(CREATE, {"address": {**SEVILLA, "postalCode": postal_code}}, user=user)

    # then
    assert body == {
        "data": {
            "accountAddressCreate": {
                "address": None,
                "user": None,
                "errors": [
                    {
                        "field": "postalCode",
                        "code": "INVALID_POSTAL_CODE",
                        "message": "Enter a valid Spanish postal code (5 digits).",
                    }
                ],
            }
        }
    }
    assert db_state() == before


def test_missing_required_fields_are_reported_each_by_name(gql):
    # given
    user = UserFactory()
    before = db_state()

    # when
    body = gql(CREATE, {"address": {"companyName": "Aguas SA", "postalCode": "  "}}, user=user)

    # then
    assert body == {
        "data": {
            "accountAddressCreate": {
                "address": None,
                "user": None,
                "errors": [
                    {"field": name, "code": "REQUIRED", "message": "This field is required."}
                    for name in ("firstName", "lastName", "streetAddress1", "postalCode", "city")
                ],
            }
        }
    }
    assert db_state() == before


def test_address_outside_spain_is_refused(gql):
    # given
    user = UserFactory()
    before = db_state()

    # when
    body = gql(CREATE, {"address": {**SEVILLA, "country": "FR"}}, user=user)

    # then
    assert body == {
        "data": {
            "accountAddressCreate": {
                "address": None,
                "user": None,
                "errors": [
                    {
                        "field": "country",
                        "code": "INVALID",
                        "message": "The shop delivers in Spain only.",
                    }
                ],
            }
        }
    }
    assert db_state() == before


@pytest.mark.parametrize("phone", ["12345", "+33 612345678", "5123456789", "phone"])
def test_invalid_phone_is_refused(gql, phone):
    # given
    user = UserFactory()
    before = db_state()

    # when
    body = gql(CREATE, {"address": {**SEVILLA, "phone": phone}}, user=user)

    # then
    assert body["data"]["accountAddressCreate"] == {
        "address": None,
        "user": None,
        "errors": [{"field": "phone", "code": "INVALID", "message": "Enter a valid phone number."}],
    }
    assert db_state() == before


def test_too_long_value_is_refused(gql):
    # given
    user = UserFactory()
    before = db_state()

    # when
    body = gql(CREATE, {"address": {**SEVILLA, "city": "S" * 121}}, user=user)

    # then
    assert body["data"]["accountAddressCreate"] == {
        "address": None,
        "user": None,
        "errors": [{"field": "city", "code": "INVALID", "message": "This value is too long."}],
    }
    assert db_state() == before


def test_create_as_a_guest_is_refused(gql):
    # given
    before = db_state()

    # when
    body = gql(CREATE, {"address": SEVILLA})

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You need to sign in to do this.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["accountAddressCreate"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before


def test_update_changes_the_given_fields_and_derives_the_province_again(gql):
    # given
    user = UserFactory()
    address = AddressFactory(
        user=user, company_name="Aguas SA", is_default_shipping=True, is_default_billing=True
    )

    # when
    body = gql(
        UPDATE,
        {
            "id": global_id("Address", address.pk),
            "address": {"postalCode": "07001", "city": "Palma", "companyName": ""},
        },
        user=user,
    )

    # then
    assert body == {
        "data": {
            "accountAddressUpdate": {
                "address": {
                    "id": global_id("Address", address.pk),
                    "firstName": address.first_name,
                    "lastName": address.last_name,
                    "companyName": "",
                    "streetAddress1": address.street_address_1,
                    "streetAddress2": "",
                    "postalCode": "07001",
                    "city": "Palma",
                    "province": "Illes Balears",
                    "country": "ES",
                    "phone": "",
                    "isDefaultShipping": True,
                    "isDefaultBilling": True,
                },
                "errors": [],
            }
        }
    }
    address.refresh_from_db()
    assert (address.postal_code, address.city, address.province, address.company_name) == (
        "07001",
        "Palma",
        "Illes Balears",
        "",
    )


def test_update_with_an_invalid_postal_code_changes_nothing(gql):
    # given
    address = AddressFactory()
    before = db_state()

    # when
    body = gql(
        UPDATE,
        {"id": global_id("Address", address.pk), "address": {"postalCode": "53000"}},
        user=address.user,
    )

    # then
    assert body["data"]["accountAddressUpdate"] == {
        "address": None,
        "errors": [
            {
                "field": "postalCode",
                "code": "INVALID_POSTAL_CODE",
                "message": "Enter a valid Spanish postal code (5 digits).",
            }
        ],
    }
    assert db_state() == before


def test_update_of_another_users_address_is_not_found_and_changes_nothing(gql):
    # given
    someone_elses = AddressFactory()
    intruder = UserFactory()
    before = db_state()

    # when
    body = gql(
        UPDATE,
        {"id": global_id("Address", someone_elses.pk), "address": {"city": "Hacked"}},
        user=intruder,
    )

    # then
    assert body == {
        "data": {"accountAddressUpdate": {"address": None, "errors": ADDRESS_NOT_FOUND}}
    }
    assert db_state() == before


@pytest.mark.parametrize(
    "address_id",
    [
        pytest.param(global_id("User", 1), id="user-id"),
        pytest.param(global_id("Address", "abc"), id="not-a-number"),
        pytest.param(global_id("Address", 999_999), id="missing"),
    ],
)
def test_update_with_an_id_that_names_no_address_is_not_found(gql, address_id):
    # given
    user = UserFactory()
    AddressFactory(user=user)
    before = db_state()

    # when
    body = gql(UPDATE, {"id": address_id, "address": {"city": "Cádiz"}}, user=user)

    # then
    assert body == {
        "data": {"accountAddressUpdate": {"address": None, "errors": ADDRESS_NOT_FOUND}}
    }
    assert db_state() == before


def test_update_as_a_guest_is_refused(gql):
    # given
    address = AddressFactory()
    before = db_state()

    # when
    body = gql(UPDATE, {"id": global_id("Address", address.pk), "address": {"city": "Hacked"}})

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You need to sign in to do this.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["accountAddressUpdate"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before


def test_delete_removes_the_own_address(gql):
    # given
    user = UserFactory()
    kept = AddressFactory(user=user)
    deleted = AddressFactory(user=user)

    # when
    body = gql(DELETE, {"id": global_id("Address", deleted.pk)}, user=user)

    # then
    assert body == {
        "data": {
            "accountAddressDelete": {
                "user": {"addresses": [{"id": global_id("Address", kept.pk)}]},
                "errors": [],
            }
        }
    }
    assert list(Address.objects.values_list("pk", flat=True)) == [kept.pk]


def test_delete_of_another_users_address_is_not_found_and_changes_nothing(gql):
    # given
    someone_elses = AddressFactory()
    intruder = UserFactory()
    before = db_state()

    # when
    body = gql(DELETE, {"id": global_id("Address", someone_elses.pk)}, user=intruder)

    # then
    assert body == {"data": {"accountAddressDelete": {"user": None, "errors": ADDRESS_NOT_FOUND}}}
    assert db_state() == before


def test_set_default_shipping_moves_the_default(gql):
    # given
    user = UserFactory()
    first = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)
    second = AddressFactory(user=user)
    other = AddressFactory(is_default_shipping=True, is_default_billing=True)

    # when
    body = gql(SET_DEFAULT, {"id": global_id("Address", second.pk), "kind": "SHIPPING"}, user=user)

    # then
    assert body == {
        "data": {
            "accountSetDefaultAddress": {
                "address": {
                    "id": global_id("Address", second.pk),
                    "isDefaultShipping": True,
                    "isDefaultBilling": False,
                },
                "user": {
                    "addresses": [
                        {
                            "id": global_id("Address", first.pk),
                            "isDefaultShipping": False,
                            "isDefaultBilling": True,
                        },
                        {
                            "id": global_id("Address", second.pk),
                            "isDefaultShipping": True,
                            "isDefaultBilling": False,
                        },
                    ]
                },
                "errors": [],
            }
        }
    }
    assert _defaults(user) == [(first.pk, False, True), (second.pk, True, False)]
    assert _defaults(other.user) == [(other.pk, True, True)]


def test_set_default_billing_moves_only_the_billing_default(gql):
    # given
    user = UserFactory()
    first = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)
    second = AddressFactory(user=user)
    third = AddressFactory(user=user)

    # when
    gql(SET_DEFAULT, {"id": global_id("Address", third.pk), "kind": "BILLING"}, user=user)

    # then
    assert _defaults(user) == [
        (first.pk, True, False),
        (second.pk, False, False),
        (third.pk, False, True),
    ]


def test_set_default_on_the_current_default_keeps_a_single_default(gql):
    # given
    user = UserFactory()
    first = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)
    second = AddressFactory(user=user)

    # when
    body = gql(SET_DEFAULT, {"id": global_id("Address", first.pk), "kind": "SHIPPING"}, user=user)

    # then
    assert body["data"]["accountSetDefaultAddress"]["errors"] == []
    assert _defaults(user) == [(first.pk, True, True), (second.pk, False, False)]


def test_set_default_on_another_users_address_is_not_found_and_changes_nothing(gql):
    # given
    someone_elses = AddressFactory()
    intruder = UserFactory()
    AddressFactory(user=intruder, is_default_shipping=True, is_default_billing=True)
    before = db_state()

    # when
    body = gql(
        SET_DEFAULT,
        {"id": global_id("Address", someone_elses.pk), "kind": "BILLING"},
        user=intruder,
    )

    # then
    assert body == {
        "data": {
            "accountSetDefaultAddress": {"address": None, "user": None, "errors": ADDRESS_NOT_FOUND}
        }
    }
    assert db_state() == before
