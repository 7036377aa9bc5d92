"""Staff recovery codes: kept only as keyed digests, each good once; the
codes django-otp's static device kept in plain text are migrated to digests."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shop.accounts import two_factor
from shop.accounts.models import RecoveryCode, RecoveryCodeDevice, recovery_code_digest
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _enrolled(staff) -> list[str]:
    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    return two_factor.recovery_codes_regenerate(user=staff)


def test_the_stored_value_is_never_the_code():
    staff = StaffFactory()

    codes = _enrolled(staff)

    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(codes) == len(set(codes)) == len(stored) == 10
    assert not set(stored) & set(codes)
    assert not any(code in digest for code in codes for digest in stored)
    assert sorted(stored) == sorted(recovery_code_digest(code) for code in codes)
    assert StaticToken.objects.count() == 0


def test_a_code_works_once_and_the_others_stay():
    staff = StaffFactory()
    codes = _enrolled(staff)

    first = two_factor.second_factor_check(user=staff, code=codes[0].upper())

    assert isinstance(first, RecoveryCodeDevice)
    with pytest.raises(ValidationError) as refused:
        two_factor.second_factor_check(user=staff, code=codes[0])
    assert refused.value.error_dict["code"][0].code == "invalid_token"
    assert RecoveryCode.objects.count() == 9
    device = RecoveryCodeDevice.objects.get(user=staff)
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    assert two_factor.second_factor_check(user=staff, code=codes[1]) == device
    assert RecoveryCode.objects.count() == 8


def test_new_codes_void_the_old_ones():
    staff = StaffFactory()
    old = _enrolled(staff)

    new = two_factor.recovery_codes_regenerate(user=staff)

    assert not set(old) & set(new)
    assert sorted(RecoveryCode.objects.values_list("digest", flat=True)) == sorted(
        recovery_code_digest(code) for code in new
    )


def test_a_digest_depends_on_the_secret_key(settings):
    before = recovery_code_digest("abcd2345")

    settings.SECRET_KEY = "another-secret-key-of-enough-length-for-django-0123456789"

    assert recovery_code_digest("abcd2345") != before
    assert recovery_code_digest("ABCD 2345") == recovery_code_digest("abcd2345")


def test_the_migration_turns_plain_codes_into_digests_and_deletes_them():
    # given: codes as django-otp's static device stored them
    staff = StaffFactory()
    static = StaticDevice.objects.create(user=staff, name="recovery codes", confirmed=True)
    static.token_set.create(token="abcd2345")
    static.token_set.create(token="efgh6789")
    migration = import_module("shop.accounts.migrations.0006_recovery_codes_hashed")

    # when
    migration.hash_static_codes(global_apps, None)  # it uses no schema editor

    # then
    device = RecoveryCodeDevice.objects.get(user=staff)
    assert (device.name, device.confirmed) == ("recovery codes", True)
    assert sorted(device.codes.values_list("digest", flat=True)) == sorted(
        [recovery_code_digest("abcd2345"), recovery_code_digest("efgh6789")]
    )
    assert (StaticDevice.objects.count(), StaticToken.objects.count()) == (0, 0)
    assert two_factor.second_factor_check(user=staff, code="efgh6789") == device
