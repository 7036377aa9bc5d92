"""Staff tokens (for the staff mutations) need the second factor the admin needs."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shop.accounts.models import RecoveryCodeDevice, recovery_code_digest
from shop.accounts.tokens import user_from_access_token
from tests.accounts.utils import db_state
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_CREATE = """
mutation SignIn($email: String!, $password: String!, $otpCode: String! = "") {
  tokenCreate(input: {email: $email, password: $password, otpCode: $otpCode}) {
    token
    errors { field code message }
  }
}
"""


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(gql, email: str, otp_code: str = "") -> dict:
    variables = {"email": email, "password": PASSWORD, "otpCode": otp_code}
    return gql(TOKEN_CREATE, variables)["data"]["tokenCreate"]


def test_staff_without_a_code_get_no_token(gql):
    staff = StaffFactory()
    TOTPDevice.objects.create(user=staff, name="authenticator")
    before = db_state()

    answer = sign_in(gql, staff.email)

    assert answer == {
        "token": None,
        "errors": [
            {
                "field": "otpCode",
                "code": "OTP_REQUIRED",
                "message": "Staff sign in with a code of their authenticator app.",
            }
        ],
    }
    assert db_state() == before  # last_login untouched


def test_staff_with_a_wrong_code_get_no_token(gql):
    staff = StaffFactory()
    TOTPDevice.objects.create(user=staff, name="authenticator")

    answer = sign_in(gql, staff.email, "000000")

    assert answer == {
        "token": None,
        "errors": [
            {
                "field": "otpCode",
                "code": "INVALID_TOKEN",
                "message": "The code is wrong or has expired.",
            }
        ],
    }


def test_staff_with_the_code_of_their_app_or_a_recovery_code_get_a_token(gql):
    staff = StaffFactory()
    device = TOTPDevice.objects.create(user=staff, name="authenticator")
    recovery = RecoveryCodeDevice.objects.create(user=staff, name="recovery codes")
    recovery.codes.create(digest=recovery_code_digest("abcd2345ef"))

    by_app = sign_in(gql, staff.email, code_of(device))
    by_recovery = sign_in(gql, staff.email, "abcd2345ef")

    assert by_app["errors"] == []
    assert user_from_access_token(by_app["token"]) == staff
    assert by_recovery["errors"] == []
    assert recovery.codes.count() == 0
    assert sign_in(gql, staff.email, "abcd2345ef")["errors"][0]["code"] == "INVALID_TOKEN"


def test_customers_need_no_code(gql):
    customer = UserFactory()

    answer = sign_in(gql, customer.email)

    assert answer["errors"] == []
    assert user_from_access_token(answer["token"]) == customer


def test_without_the_admin_requirement_staff_need_no_code(gql, settings):
    settings.ADMIN_REQUIRE_2FA = False
    staff = StaffFactory()

    assert sign_in(gql, staff.email)["errors"] == []
