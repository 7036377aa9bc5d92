import pytest
from django.contrib.auth.hashers import identify_hasher
from django.utils import translation

from shop.accounts.models import User
from tests.accounts.utils import db_state, global_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = """
mutation Register($input: AccountRegisterInput!) {
  accountRegister(input: $input) {
    user { id email firstName lastName languageCode isStaff addresses { id } }
    errors { field code message }
  }
}
"""


def test_register_creates_a_customer_with_a_lowercased_email_and_a_hashed_password(gql):
    # given
    variables = {
        "input": {
            "email": "  Ana.Lopez@Example.COM ",
            "password": "correct-horse-battery-9",
            "firstName": " Ana ",
            "lastName": "López",
            "languageCode": "EN",
        }
    }

    # when
    body = gql(REGISTER, variables)

    # then
    user = User.objects.get()
    assert body == {
        "data": {
            "accountRegister": {
                "user": {
                    "id": global_id("User", user.pk),
                    "email": "ana.lopez@example.com",
                    "firstName": "Ana",
                    "lastName": "López",
                    "languageCode": "EN",
                    "isStaff": False,
                    "addresses": [],
                },
                "errors": [],
            }
        }
    }
    assert user.email == "ana.lopez@example.com"
    assert user.language_code == "en"
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)
    assert user.password != "correct-horse-battery-9"
    assert identify_hasher(user.password).algorithm == "md5"
    assert user.check_password("correct-horse-battery-9")


def test_registered_customer_can_sign_in_with_the_password(gql):
    # given
    gql(REGISTER, {"input": {"email": "Ana@Example.com", "password": "correct-horse-battery-9"}})

    # when
    body = gql(
        'mutation { tokenCreate(input: {email: "ana@example.com", '
        'password: "correct-horse-battery-9"}) { user { email } errors { code } } }'
    )

    # then
    assert body == {"data": {"tokenCreate": {"user": {"email": "ana@example.com"}, "errors": []}}}


def test_register_defaults_to_spanish_and_empty_names(gql):
    # when
    gql(REGISTER, {"input": {"email": "ana@example.com", "password": "correct-horse-battery-9"}})

    # then
    user = User.objects.get()
    assert (user.first_name, user.last_name, user.language_code) == ("", "", "es")


def test_register_with_a_taken_email_in_another_case_is_refused(gql):
    # given
    UserFactory(email="ana@example.com")
    before = db_state()

    # when
    body = gql(
        REGISTER, {"input": {"email": "ANA@Example.Com", "password": "another-horse-battery-7"}}
    )

    # then
    assert body == {
        "data": {
            "accountRegister": {
                "user": None,
                "errors": [
                    {
                        "field": "email",
                        "code": "UNIQUE",
                        "message": "An account with this e-mail already exists.",
                    }
                ],
            }
        }
    }
    assert User.objects.count() == 1
    assert db_state() == before


@pytest.mark.parametrize("email", ["not-an-email", "ana@", "@example.com", "ana@example", ""])
def test_register_with_an_invalid_email_is_refused(gql, email):
    # when
    body = gql(REGISTER, {"input": {"email": email, "password": "correct-horse-battery-9"}})

    # then
    assert body == {
        "data": {
            "accountRegister": {
                "user": None,
                "errors": [
                    {
                        "field": "email",
                        "code": "INVALID",
                        "message": "Enter a valid e-mail address.",
                    }
                ],
            }
        }
    }
    assert db_state() == {"users": [], "addresses": []}


@pytest.mark.parametrize(
    ("password", "errors"),
    [
        pytest.param(
            "xk3-Vq9",
            [
                {
                    "field": "password",
                    "code": "PASSWORD_TOO_SHORT",
                    "message": "This password is too short. It must contain at least 8 characters.",
                }
            ],
            id="short",
        ),
        pytest.param(
            "password123",
            [
                {
                    "field": "password",
                    "code": "PASSWORD_TOO_COMMON",
                    "message": "This password is too common.",
                }
            ],
            id="common",
        ),
        pytest.param(
            "8417362950",
            [
                {
                    "field": "password",
                    "code": "PASSWORD_ENTIRELY_NUMERIC",
                    "message": "This password is entirely numeric.",
                }
            ],
            id="numeric",
        ),
        pytest.param(
            "123",
            [
                {
                    "field": "password",
                    "code": "PASSWORD_TOO_SHORT",
                    "message": "This password is too short. It must contain at least 8 characters.",
                },
                {
                    "field": "password",
                    "code": "PASSWORD_TOO_COMMON",
                    "message": "This password is too common.",
                },
                {
                    "field": "password",
                    "code": "PASSWORD_ENTIRELY_NUMERIC",
                    "message": "This password is entirely numeric.",
                },
            ],
            id="short-common-numeric",
        ),
        pytest.param(
            "anabelen.lopez",
            [
                {
                    "field": "password",
                    "code": "PASSWORD_TOO_SIMILAR",
                    "message": "The password is too similar to the e-mail.",
                }
            ],
            id="similar-to-email",
        ),
    ],
)
def test_register_with_a_weak_password_is_refused(gql, password, errors):
    # when
    body = gql(REGISTER, {"input": {"email": "anabelen.lopez@example.com", "password": password}})

    # then
    assert body == {"data": {"accountRegister": {"user": None, "errors": errors}}}
    assert db_state() == {"users": [], "addresses": []}


def test_register_with_a_password_over_128_characters_is_refused(gql):
    # when
    body = gql(REGISTER, {"input": {"email": "ana@example.com", "password": "correct-horse-" * 10}})

    # then
    assert body == {
        "data": {
            "accountRegister": {
                "user": None,
                "errors": [
                    {"field": "password", "code": "INVALID", "message": "This value is too long."}
                ],
            }
        }
    }
    assert db_state() == {"users": [], "addresses": []}


def test_register_with_a_password_of_exactly_128_characters_succeeds(gql):
    # given
    password = ("correct-horse-battery-9-" * 6)[:128]

    # when
    body = gql(REGISTER, {"input": {"email": "ana@example.com", "password": password}})

    # then
    assert body["data"]["accountRegister"]["errors"] == []
    assert User.objects.get().check_password(password)


def test_register_with_an_unknown_language_is_refused_by_the_schema(gql):
    # when
    body = gql(
        REGISTER,
        {
            "input": {
                "email": "ana@example.com",
                "password": "correct-horse-battery-9",
                "languageCode": "FR",
            }
        },
    )

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Variable '$input' has invalid value at .languageCode: "
                "Value 'FR' does not exist in 'LanguageCode' enum.",
                "locations": [{"line": 2, "column": 19}],
            }
        ],
    }
    assert db_state() == {"users": [], "addresses": []}


def test_messages_follow_the_request_language(gql):
    # given
    UserFactory(email="ana@example.com")
    with translation.override("es"):
        spanish = translation.gettext("An account with this e-mail already exists.")

    # when
    default = gql(
        REGISTER,
        {"input": {"email": "ana@example.com", "password": "correct-horse-battery-9"}},
        headers={"Accept-Language": ""},
    )
    english = gql(
        REGISTER,
        {"input": {"email": "ana@example.com", "password": "correct-horse-battery-9"}},
        headers={"Accept-Language": "en"},
    )

    # then
    assert spanish != "An account with this e-mail already exists."
    assert default["data"]["accountRegister"]["errors"] == [
        {"field": "email", "code": "UNIQUE", "message": spanish}
    ]
    assert english["data"]["accountRegister"]["errors"] == [
        {
            "field": "email",
            "code": "UNIQUE",
            "message": "An account with this e-mail already exists.",
        }
    ]
    assert User.objects.count() == 1
