import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings

from tests.accounts.utils import bearer, db_state, global_id
from tests.factories import PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_CREATE = """
mutation SignIn($email: String!, $password: String!) {
  tokenCreate(input: {email: $email, password: $password}) {
    token
    refreshToken
    user { id email }
    errors { field code message }
  }
}
"""

WRONG_CREDENTIALS = {
    "data": {
        "tokenCreate": {
            "token": None,
            "refreshToken": None,
            "user": None,
            "errors": [
                {
                    "field": None,
                    "code": "INVALID_CREDENTIALS",
                    "message": "Wrong e-mail or password.",
                }
            ],
        }
    }
}

TOO_MANY_ATTEMPTS = {
    "data": {
        "tokenCreate": {
            "token": None,
            "refreshToken": None,
            "user": None,
            "errors": [
                {
                    "field": None,
                    "code": "TOO_MANY_ATTEMPTS",
                    "message": "Too many failed sign-in attempts. Try again later.",
                }
            ],
        }
    }
}


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how many passwords it hashes."""

    hashed = 0

    def encode(self, password, salt):
        type(self).hashed += 1
        return super().encode(password, salt)


def _sign_in(gql, email, password=PASSWORD, **kwargs):
    return gql(TOKEN_CREATE, {"email": email, "password": password}, **kwargs)


def test_sign_in_returns_tokens_that_work_for_me(gql):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    body = _sign_in(gql, "ana@example.com")

    # then
    payload = body["data"]["tokenCreate"]
    assert payload["token"]
    assert payload["refreshToken"]
    assert payload["token"] != payload["refreshToken"]
    assert body == {
        "data": {
            "tokenCreate": {
                "token": payload["token"],
                "refreshToken": payload["refreshToken"],
                "user": {"id": global_id("User", user.pk), "email": "ana@example.com"},
                "errors": [],
            }
        }
    }
    assert gql("{ me { email } }", headers=bearer(payload["token"])) == {
        "data": {"me": {"email": "ana@example.com"}}
    }
    refreshed = gql(
        "mutation($t: String!) { tokenRefresh(input: {refreshToken: $t})"
        " { token errors { code } } }",
        {"t": payload["refreshToken"]},
    )
    assert refreshed["data"]["tokenRefresh"]["errors"] == []
    user.refresh_from_db()
    assert user.last_login is not None


def test_sign_in_payload_shows_the_signed_in_users_addresses(gql):
    # given
    user = UserFactory(email="ana@example.com")
    address = AddressFactory(user=user)

    # when
    body = gql(
        'mutation($p: String!) { tokenCreate(input: {email: "ana@example.com", password: $p})'
        " { user { email addresses { id } } errors { code } } }",
        {"p": PASSWORD},
    )

    # then
    assert body == {
        "data": {
            "tokenCreate": {
                "user": {
                    "email": "ana@example.com",
                    "addresses": [{"id": global_id("Address", address.pk)}],
                },
                "errors": [],
            }
        }
    }


def test_sign_in_ignores_the_case_and_surrounding_spaces_of_the_email(gql):
    # given
    UserFactory(email="ana@example.com")

    # when
    body = _sign_in(gql, "  ANA@Example.com ")

    # then
    assert body["data"]["tokenCreate"]["user"] == {
        "id": body["data"]["tokenCreate"]["user"]["id"],
        "email": "ana@example.com",
    }
    assert body["data"]["tokenCreate"]["errors"] == []


def test_wrong_password_and_unknown_email_give_the_same_error(gql):
    # given
    UserFactory(email="ana@example.com")
    before = db_state()

    # when
    wrong_password = _sign_in(gql, "ana@example.com", "wrong-horse-battery-1")
    unknown_email = _sign_in(gql, "nobody@example.com", "wrong-horse-battery-1")

    # then
    assert wrong_password == WRONG_CREDENTIALS
    assert unknown_email == WRONG_CREDENTIALS
    assert db_state() == before


@override_settings(PASSWORD_HASHERS=[f"{__name__}.CountingHasher"])
def test_unknown_email_costs_a_password_hash_like_a_known_one(gql):
    # given: the same work either way, so response times do not tell which accounts exist
    UserFactory(email="ana@example.com")
    CountingHasher.hashed = 0

    before = db_state()

    # when
    _sign_in(gql, "ana@example.com", "wrong-horse-battery-1")
    known = CountingHasher.hashed
    _sign_in(gql, "nobody@example.com", "wrong-horse-battery-1")
    unknown = CountingHasher.hashed - known

    # then
    assert (known, unknown) == (1, 1)
    assert db_state() == before


def test_inactive_user_cannot_sign_in_even_with_the_right_password(gql):
    # given
    UserFactory(email="ana@example.com", is_active=False)
    before = db_state()

    # when
    body = _sign_in(gql, "ana@example.com")

    # then
    assert body == WRONG_CREDENTIALS
    assert db_state() == before


def test_password_over_128_characters_is_refused_without_checking_it(gql):
    # given
    UserFactory(email="ana@example.com")
    before = db_state()

    # when
    body = _sign_in(gql, "ana@example.com", "x" * 129)

    # then
    assert body == {
        "data": {
            "tokenCreate": {
                "token": None,
                "refreshToken": None,
                "user": None,
                "errors": [
                    {"field": "password", "code": "INVALID", "message": "This value is too long."}
                ],
            }
        }
    }
    assert db_state() == before


def test_account_is_locked_after_five_failures_even_for_the_right_password(gql, settings):
    # given
    assert settings.LOGIN_THROTTLE_MAX_FAILURES == 5
    UserFactory(email="ana@example.com")
    before = db_state()
    failures = [_sign_in(gql, "ana@example.com", f"wrong-{n}") for n in range(5)]

    # when
    body = _sign_in(gql, "ana@example.com")

    # then
    assert failures == [WRONG_CREDENTIALS] * 5
    assert body == TOO_MANY_ATTEMPTS
    assert db_state() == before


def test_account_lock_counts_the_email_in_any_case(gql):
    # given
    UserFactory(email="ana@example.com")
    before = db_state()
    for n, email in enumerate(
        [
            "ana@example.com",
            "ANA@example.com",
            " Ana@Example.com ",
            "aNa@example.COM",
            "ana@EXAMPLE.com",
        ]
    ):
        _sign_in(gql, email, f"wrong-{n}")

    # when
    body = _sign_in(gql, "ana@example.com")

    # then
    assert body == TOO_MANY_ATTEMPTS
    assert db_state() == before


def test_four_failures_do_not_lock_the_account(gql):
    # given
    UserFactory(email="ana@example.com")
    for n in range(4):
        _sign_in(gql, "ana@example.com", f"wrong-{n}")

    # when
    body = _sign_in(gql, "ana@example.com")

    # then
    assert body["data"]["tokenCreate"]["errors"] == []
    assert body["data"]["tokenCreate"]["token"]


def test_locked_account_does_not_lock_other_accounts(gql):
    # given
    UserFactory(email="ana@example.com")
    UserFactory(email="bea@example.com")
    for n in range(5):
        _sign_in(gql, "ana@example.com", f"wrong-{n}")

    # when
    body = _sign_in(gql, "bea@example.com")

    # then
    assert body["data"]["tokenCreate"]["errors"] == []
    assert body["data"]["tokenCreate"]["user"]["email"] == "bea@example.com"


def test_unknown_emails_are_locked_like_known_ones(gql):
    # given
    for n in range(5):
        _sign_in(gql, "nobody@example.com", f"wrong-{n}")

    # when
    body = _sign_in(gql, "nobody@example.com", "wrong-again")

    # then
    assert body == TOO_MANY_ATTEMPTS
    assert db_state() == {"users": [], "addresses": []}


def test_successful_sign_in_resets_the_account_counter(gql):
    # given
    UserFactory(email="ana@example.com")
    for n in range(4):
        _sign_in(gql, "ana@example.com", f"wrong-{n}")
    assert _sign_in(gql, "ana@example.com")["data"]["tokenCreate"]["errors"] == []
    for n in range(4):
        _sign_in(gql, "ana@example.com", f"wrong-again-{n}")

    # when
    body = _sign_in(gql, "ana@example.com")

    # then
    assert body["data"]["tokenCreate"]["errors"] == []
    assert body["data"]["tokenCreate"]["user"]["email"] == "ana@example.com"


def test_too_many_failures_from_one_ip_block_every_account(gql):
    # given
    UserFactory(email="ana@example.com")
    before = db_state()
    with override_settings(LOGIN_THROTTLE_IP_MAX_FAILURES=3):
        failures = [
            _sign_in(gql, f"guess{n}@example.com", "wrong-horse-battery-1") for n in range(3)
        ]

        # when
        body = _sign_in(gql, "ana@example.com")

    # then
    assert failures == [WRONG_CREDENTIALS] * 3
    assert body == TOO_MANY_ATTEMPTS
    assert db_state() == before


def test_ip_block_is_not_bypassed_with_a_forwarded_for_header(gql):
    # given
    UserFactory(email="ana@example.com")
    before = db_state()
    with override_settings(LOGIN_THROTTLE_IP_MAX_FAILURES=3):
        for n in range(3):
            _sign_in(gql, f"guess{n}@example.com", "wrong-horse-battery-1")

        # when
        body = _sign_in(gql, "ana@example.com", headers={"X-Forwarded-For": "203.0.113.7"})

    # then
    assert body == TOO_MANY_ATTEMPTS
    assert db_state() == before


def test_successful_sign_in_does_not_reset_the_ip_counter(gql):
    # given
    UserFactory(email="ana@example.com")
    UserFactory(email="bea@example.com")
    with override_settings(LOGIN_THROTTLE_IP_MAX_FAILURES=3):
        _sign_in(gql, "guess0@example.com", "wrong-horse-battery-1")
        _sign_in(gql, "guess1@example.com", "wrong-horse-battery-1")
        assert _sign_in(gql, "ana@example.com")["data"]["tokenCreate"]["errors"] == []
        _sign_in(gql, "guess2@example.com", "wrong-horse-battery-1")

        before = db_state()

        # when
        body = _sign_in(gql, "bea@example.com")

    # then
    assert body == TOO_MANY_ATTEMPTS
    assert db_state() == before
