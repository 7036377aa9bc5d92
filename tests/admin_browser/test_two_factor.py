"""A staff member's first sign-in sets up the second factor (QR code, first
code, recovery codes); the next one asks for it, and a recovery code passes."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from shop.accounts.models import RecoveryCode, recovery_code_digest
from shop.accounts.roles import ORDER_MANAGER
from tests.admin_browser.conftest import STAFF_PASSWORD, BackOffice, staff, totp_code
from tests.browser import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
FOLDER = "accounts"


def test_staff_set_up_the_second_factor_then_sign_in_with_it(back_office: BackOffice):
    manager = staff(ORDER_MANAGER, "pedidos@example.com")
    page = back_office.page

    back_office.open("/admin/login/?next=/admin/")
    page.get_by_label("Correo electrónico").fill(manager.email)
    page.get_by_label("Contraseña").fill(STAFF_PASSWORD)
    screenshot(page, FOLDER, "admin-2fa-1-password")
    page.get_by_role("button", name="Iniciar sesión").click()

    expect(page).to_have_url(back_office.url("/admin/otp/enrol/?next=/admin/"))
    expect(page.locator(".otp-qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    shown = page.locator(".otp-secret").inner_text().replace(" ", "")
    assert f"secret={shown}" in device.config_url
    screenshot(page, FOLDER, "admin-2fa-2-enrol")
    page.locator("input[name=code]").fill(totp_code(device))
    page.locator("#otp-form [type=submit]").click()

    codes = page.locator(".otp-codes li").all_inner_texts()
    assert sorted(recovery_code_digest(code) for code in codes) == sorted(
        RecoveryCode.objects.filter(device__user=manager).values_list("digest", flat=True)
    )
    assert len(codes) == 10
    screenshot(page, FOLDER, "admin-2fa-3-recovery-codes")
    page.locator(".submit-row a.button").click()
    expect(page.get_by_role("heading", name="Panel de control", level=1)).to_be_visible()

    # Signed out, the next sign-in asks for the second factor; a recovery code passes once.
    page.locator("#logout-form button").click()
    back_office.open("/admin/login/?next=/admin/")
    page.get_by_label("Correo electrónico").fill(manager.email)
    page.get_by_label("Contraseña").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(back_office.url("/admin/otp/verify/?next=/admin/"))
    assert back_office.open("/admin/orders/order/").url.startswith(
        back_office.url("/admin/otp/verify/")
    )
    expect(page.locator("input[name=code]")).to_be_focused()
    screenshot(page, FOLDER, "admin-2fa-4-verify")
    page.locator("input[name=code]").fill(codes[0])
    page.locator("#otp-form [type=submit]").click()

    expect(page).to_have_url(back_office.url("/admin/orders/order/"))
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    assert RecoveryCode.objects.filter(device__user=manager).count() == 9
