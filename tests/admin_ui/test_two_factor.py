"""Staff's second factor in the admin: no admin page without it when required;
enrolment (QR, first code, recovery codes), verification, recovery codes,
throttling, and the setting."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shop.accounts.models import RecoveryCode, RecoveryCodeDevice, User, recovery_code_digest
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unverified_staff]

LOGIN = "/admin/login/"
ENROL = "/admin/otp/enrol/"
VERIFY = "/admin/otp/verify/"


def code_of(device: TOTPDevice, *, offset: int = 0) -> str:
    """What the staff member's authenticator app shows now (``offset`` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def sign_in(client: Client, user: User, next_url: str = "/admin/") -> Any:
    return client.post(
        f"{LOGIN}?next={quote(next_url)}",
        {"username": user.email, "password": PASSWORD, "next": next_url},
    )


SAMPLE = {
    "int": "1",
    "string": "1",
    "path": "1",
    "slug": "catalogue",
    "uuid": str(uuid.UUID(int=1)),
}


def _patterns(patterns: list[Any]) -> list[URLPattern]:
    flat: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            flat += _patterns(pattern.url_patterns)
        else:
            flat.append(pattern)
    return flat


def admin_urls(pk: str = "1") -> list[str]:
    """One URL under every named pattern of the admin site, its arguments filled
    with samples (object 1, a section's slug, each app's label): the index,
    sections, apps, every model's pages and every custom action page. The
    second-factor check runs before any object is looked up."""
    urls = []
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    for pattern in _patterns(admin.site.get_urls()):
        if not pattern.name or pattern.name in OUTSIDE:
            continue
        converters = getattr(pattern.pattern, "converters", {})
        if pattern.name == "app_list":
            urls += [reverse("admin:app_list", args=[label]) for label in labels]
            continue
        kwargs = {
            name: pk
            if name in ("object_id", "pk")
            else SAMPLE[type(c).__name__.removesuffix("Converter").lower()]
            for name, c in converters.items()
        }
        urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return urls


def _names(patterns: list[Any]) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


# Reached before the second factor (the steps themselves, and signing in or out),
# or pages that only redirect elsewhere in the admin.
OUTSIDE = {"login", "logout", "otp_verify", "otp_enrol", "otp_cancel", "view_on_site"}


def test_the_url_list_covers_every_url_pattern_of_the_admin():
    names = _names(admin.site.get_urls()) - OUTSIDE
    covered = {resolve(url).url_name for url in admin_urls()}

    assert len(admin.site._registry) >= 30
    assert names - covered == set()


def test_staff_without_a_second_factor_reach_no_admin_page(client):
    boss = StaffFactory(is_superuser=True)
    enrolled(boss)
    client.force_login(boss)

    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{LOGIN}?next={quote(url)}", url
        onward = client.get(response["Location"])
        assert (onward.status_code, onward["Location"]) == (302, f"{VERIFY}?next={url}"), url
    assert client.post("/admin/catalog/product/add/", {"name": "x"}).status_code == 302


def test_every_admin_page_opens_once_the_second_factor_is_passed(client):
    boss = StaffFactory(is_superuser=True)
    device = enrolled(boss)
    sign_in(client, boss)
    client.post(VERIFY, {"code": code_of(device), "next": "/admin/"})

    # Object pages of the boss's own device: django-otp's device pages fail on an unknown id.
    for url in admin_urls(pk=str(device.pk)):
        response = client.get(url)
        # Each page's own rules answer now (a 403 for an add page of what is never
        # added by hand, a redirect for an object that does not exist...), never the login.
        assert not response.get("Location", "").startswith(LOGIN), url
        assert not response.get("Location", "").startswith("/admin/otp/"), url
    assert client.get("/admin/").status_code == 200


def test_signing_in_sends_staff_without_an_authenticator_to_enrol_and_it_works(client):
    staff = StaffFactory(email="ana@example.com")

    response = sign_in(client, staff)

    assert (response.status_code, response["Location"]) == (302, f"{ENROL}?next=/admin/")
    page = client.get(ENROL, {"next": "/admin/"})
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False
    secret = page.context["secret"].replace(" ", "")
    assert f"secret={secret}" in device.config_url
    assert client.get(ENROL).context["secret"].replace(" ", "") == secret  # reload: same key
    assert client.get("/admin/").status_code == 302

    wrong = client.post(ENROL, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"code": ["El código es incorrecto o ha caducado."]}
    device.refresh_from_db()
    assert device.confirmed is False
    assert RecoveryCodeDevice.objects.filter(user=staff).count() == 0
    device.throttling_failure_count = 0  # the app's next code, not a guess: no wait
    device.throttling_failure_timestamp = None
    device.save()

    done = client.post(ENROL, {"code": code_of(device), "next": "/admin/"})

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    # Shown once; only keyed digests are stored, never a code.
    stored = list(RecoveryCode.objects.filter(device__user=staff).values_list("digest", flat=True))
    assert sorted(stored) == sorted(recovery_code_digest(code) for code in codes)
    assert not set(stored) & set(codes)
    assert StaticToken.objects.count() == 0
    assert TOTPDevice.objects.get(user=staff).confirmed is True
    assert client.get("/admin/").status_code == 200
    assert (
        LogEntry.objects.filter(
            user=staff, object_id=str(staff.pk), change_message="Two-factor sign-in set up."
        ).count()
        == 1
    )


def test_a_code_of_the_authenticator_passes_the_step_once(client):
    staff = StaffFactory()
    device = enrolled(staff)

    response = sign_in(client, staff, "/admin/orders/order/")
    assert response["Location"] == f"{VERIFY}?next=/admin/orders/order/"
    code = code_of(device)
    passed = client.post(VERIFY, {"code": code, "next": "/admin/orders/order/"})

    assert (passed.status_code, passed["Location"]) == (302, "/admin/orders/order/")
    assert client.get("/admin/").status_code == 200
    # The same code cannot be replayed in another session.
    other = Client()
    sign_in(other, staff)
    again = other.post(VERIFY, {"code": code, "next": "/admin/"})
    assert again.status_code == 200
    assert other.get("/admin/").status_code == 302


def test_a_wrong_code_keeps_the_admin_closed_and_counts_against_the_device(client):
    staff = StaffFactory()
    device = enrolled(staff)
    sign_in(client, staff)

    wrong = client.post(VERIFY, {"code": code_of(device, offset=5), "next": "/admin/"})

    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"code": ["El código es incorrecto o ha caducado."]}
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Throttled: even the right code waits (django-otp doubles the wait on each failure).
    throttled = client.post(VERIFY, {"code": code_of(device), "next": "/admin/"})
    assert throttled.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_passes_the_step_once(client):
    staff = StaffFactory()
    enrolled(staff)
    recovery = RecoveryCodeDevice.objects.create(user=staff, name="recovery codes")
    recovery.codes.create(digest=recovery_code_digest("abcd2345ef"))
    recovery.codes.create(digest=recovery_code_digest("zzzz2345ef"))

    sign_in(client, staff)
    passed = client.post(VERIFY, {"code": "ABCD 2345EF", "next": "/admin/"})

    assert passed.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert list(recovery.codes.values_list("digest", flat=True)) == [
        recovery_code_digest("zzzz2345ef")
    ]
    other = Client()
    sign_in(other, staff)
    assert other.post(VERIFY, {"code": "abcd2345ef", "next": "/admin/"}).status_code == 200
    assert other.get("/admin/").status_code == 302


def test_the_step_can_be_left_by_signing_out(client):
    staff = StaffFactory()
    enrolled(staff)
    sign_in(client, staff)

    response = client.post("/admin/otp/cancel/")

    assert (response.status_code, response["Location"]) == (302, "/admin/login/")
    assert "_auth_user_id" not in client.session
    assert client.get(VERIFY)["Location"] == "/admin/login/"


def test_customers_and_visitors_never_reach_the_steps(client):
    assert client.get(VERIFY)["Location"] == "/admin/login/"
    client.force_login(UserFactory())
    assert client.get(ENROL)["Location"] == "/admin/login/"
    assert TOTPDevice.objects.count() == 0


def test_the_next_page_stays_on_the_shop(client):
    staff = StaffFactory()
    device = enrolled(staff)
    sign_in(client, staff)

    passed = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})

    assert passed["Location"] == "/admin/"


def test_it_is_required_by_default_without_debug_and_can_be_turned_off(client, settings):
    assert settings.DEBUG is False
    assert settings.ADMIN_REQUIRE_2FA is True
    settings.ADMIN_REQUIRE_2FA = False
    staff = StaffFactory()

    response = sign_in(client, staff)

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.count() == 0


def test_an_administrator_sees_how_many_recovery_codes_are_left_and_may_delete_them(
    client, settings
):
    # given
    settings.ADMIN_REQUIRE_2FA = False  # this test is about the page, not the sign-in
    admin_user = User.objects.create_superuser("jefa@example.com", PASSWORD)
    client.force_login(admin_user)
    staff = StaffFactory(email="gestor@example.com")
    device = RecoveryCodeDevice.objects.create(user=staff, name="recovery codes")
    for code in ("abcd2345", "efgh6789"):
        device.codes.create(digest=recovery_code_digest(code))
    listing = "/admin/accounts/recoverycodedevice/"

    # when
    with_otp = client.get(listing)

    # then: listed with its count, no code or digest shown
    assert with_otp.status_code == 200
    (row,) = with_otp.context["cl"].result_list
    assert (row.user, row.codes_left) == (staff, 2)
    assert recovery_code_digest("abcd2345") not in with_otp.content.decode()

    # when: deleted, the member enrols again
    deleted = client.post(f"{listing}{device.pk}/delete/", {"post": "yes"})

    # then
    assert deleted.status_code == 302
    assert (RecoveryCodeDevice.objects.count(), RecoveryCode.objects.count()) == (0, 0)
