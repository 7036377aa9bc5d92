"""The shop administrator reads the consents in the back office (Spanish): who
accepted which legal text, in which version, when and where; read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shop.accounts.models import Consent
from shop.accounts.roles import SHOP_ADMINISTRATOR
from tests.admin_browser.conftest import BackOffice, staff
from tests.browser import docs_copy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_shop_administrator_reads_the_consents_and_filters_them(back_office: BackOffice):
    now = timezone.now()
    version = now - timedelta(days=40)
    ana = UserFactory(email="ana@example.com")
    for email, user, context, document, reference, days in (
        ("ana@example.com", ana, "registration", "privacy_policy", "", 3),
        ("ana@example.com", ana, "checkout", "terms_of_sale", "TA-000012", 2),
        ("invitado@example.com", None, "checkout", "terms_of_sale", "TA-000013", 1),
    ):
        Consent.objects.create(
            user=user,
            email=email,
            context=context,
            document=document,
            reference=reference,
            version=version,
            digest="d" * 64,
            accepted_at=now - timedelta(days=days),
        )

    page = back_office.sign_in(staff(SHOP_ADMINISTRATOR, "admin@example.com"))
    back_office.open("/admin/accounts/consent/")

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("invitado@example.com")
    expect(rows.first).to_contain_text("Condiciones de venta")
    expect(rows.first).to_contain_text("TA-000013")
    expect(page.get_by_role("link", name="Añadir consentimiento")).to_have_count(0)
    page.locator("#toggle-nav-sidebar").click()  # the whole table in view
    docs_copy(back_office.shot("admin-consents"), "accounts")

    page.locator("#changelist-filter").get_by_role("link", name="Política de privacidad").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ana@example.com")
    expect(rows.first).to_contain_text("Alta")
