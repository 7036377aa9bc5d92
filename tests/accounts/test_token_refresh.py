import pytest

from shop.accounts.tokens import create_token
from tests.accounts.utils import bearer, db_state, global_id
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_REFRESH = """
mutation Refresh($token: String!) {
  tokenRefresh(input: {refreshToken: $token}) {
    token
    user { id email }
    errors { field code message }
  }
}
"""

DEACTIVATE_ALL = "mutation { tokensDeactivateAll { errors { field code message } } }"


def _refused(message):
    return {
        "data": {
            "tokenRefresh": {
                "token": None,
                "user": None,
                "errors": [{"field": "refreshToken", "code": "INVALID_TOKEN", "message": message}],
            }
        }
    }


def test_refresh_returns_a_new_access_token_that_works(gql):
    # given
    user = UserFactory(email="ana@example.com")
    refresh = create_token(user, "refresh")

    # when
    body = gql(TOKEN_REFRESH, {"token": refresh})

    # then
    token = body["data"]["tokenRefresh"]["token"]
    assert body == {
        "data": {
            "tokenRefresh": {
                "token": token,
                "user": {"id": global_id("User", user.pk), "email": "ana@example.com"},
                "errors": [],
            }
        }
    }
    assert token != refresh
    assert gql("{ me { email } }", headers=bearer(token)) == {
        "data": {"me": {"email": "ana@example.com"}}
    }


def test_access_token_is_refused_as_a_refresh_token(gql):
    # given
    user = UserFactory()
    before = db_state()

    # when
    body = gql(TOKEN_REFRESH, {"token": create_token(user, "access")})

    # then
    assert body == _refused("The token is invalid.")
    assert db_state() == before


def test_refresh_token_is_refused_as_an_access_token(gql):
    # given
    user = UserFactory()

    before = db_state()

    # when
    body = gql("{ me { email } }", headers=bearer(create_token(user, "refresh")))

    # then
    assert body == {
        "data": {"me": None},
        "errors": [
            {
                "message": "The token is invalid.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before


def test_garbage_refresh_token_is_refused(gql):
    # given
    UserFactory()
    before = db_state()

    # when
    body = gql(TOKEN_REFRESH, {"token": "not-a-jwt"})

    # then
    assert body == _refused("The token is invalid.")
    assert db_state() == before


def test_refresh_token_of_a_deactivated_user_is_refused(gql):
    # given
    user = UserFactory()
    refresh = create_token(user, "refresh")
    user.is_active = False
    user.save()
    before = db_state()

    # when
    body = gql(TOKEN_REFRESH, {"token": refresh})

    # then
    assert body == _refused("The token is no longer valid.")
    assert db_state() == before


def test_deactivate_all_revokes_old_access_and_refresh_tokens(gql):
    # given
    UserFactory(email="ana@example.com")
    signed_in = gql(
        'mutation($p: String!) { tokenCreate(input: {email: "ana@example.com", password: $p})'
        " { token refreshToken } }",
        {"p": PASSWORD},
    )["data"]["tokenCreate"]
    access, refresh = signed_in["token"], signed_in["refreshToken"]

    # when
    body = gql(DEACTIVATE_ALL, headers=bearer(access))

    # then
    assert body == {"data": {"tokensDeactivateAll": {"errors": []}}}
    after_revoking = db_state()
    assert gql("{ me { email } }", headers=bearer(access)) == {
        "data": {"me": None},
        "errors": [
            {
                "message": "The token is no longer valid.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert gql(TOKEN_REFRESH, {"token": refresh}) == _refused("The token is no longer valid.")
    assert db_state() == after_revoking


def test_deactivate_all_keeps_tokens_issued_afterwards_working(gql):
    # given
    user = UserFactory(email="ana@example.com")
    gql(DEACTIVATE_ALL, user=user)
    user.refresh_from_db()

    # when
    body = gql("{ me { email } }", user=user)

    # then
    assert body == {"data": {"me": {"email": "ana@example.com"}}}


def test_deactivate_all_does_not_touch_other_users(gql):
    # given
    ana = UserFactory()
    bea = UserFactory(email="bea@example.com")
    bea_token = create_token(bea, "access")

    # when
    gql(DEACTIVATE_ALL, user=ana)

    # then
    assert gql("{ me { email } }", headers=bearer(bea_token)) == {
        "data": {"me": {"email": "bea@example.com"}}
    }


def test_deactivate_all_as_a_guest_is_refused(gql):
    # given
    UserFactory()
    before = db_state()

    # when
    body = gql(DEACTIVATE_ALL)

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "You need to sign in to do this.",
                "locations": [{"line": 1, "column": 12}],
                "path": ["tokensDeactivateAll"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before
