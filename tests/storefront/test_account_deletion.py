"""A customer downloads their data and deletes their account from the storefront:
the e-mailed link opens the confirmation page, which erases the account."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order
from shop.accounts.models import Address, User
from tests.browser import screenshot
from tests.factories import AddressFactory
from tests.storefront.conftest import Visit, water_bill_customer
from tests.storefront.test_customer_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
FOLDER = "accounts"


@pytest.fixture
def storefront_origin(settings: Any, live_server: Any) -> None:
    """The deletion link may only lead to the storefront's own origin."""
    settings.SHOP_STOREFRONT_URL = f"{live_server.url}/storefront/"


def test_a_customer_downloads_their_data_and_deletes_their_account(
    storefront: Visit, storefront_origin: None
) -> None:
    user, _contract = water_bill_customer()
    AddressFactory(user=user, street_address_1="Calle Betis 12")
    page = storefront.open("/")
    sign_in(page, user.email)
    section = page.get_by_role("region", name="Mis datos")
    expect(section).to_be_visible()

    with page.expect_download() as download:
        section.get_by_role("button", name="Descargar mis datos").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert re.fullmatch(r"account-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename)
    assert data["profile"]["email"] == "lucia@example.com"
    assert [a["streetAddress1"] for a in data["addresses"]] == ["Calle Betis 12"]
    assert [c["number"] for c in data["waterContracts"]] == ["100200300"]

    section.get_by_role("button", name="Eliminar mi cuenta").click()
    expect(page.get_by_test_id("privacy-notice")).to_contain_text(
        "Te hemos enviado a lucia@example.com un enlace"
    )
    section.scroll_into_view_if_needed()
    screenshot(page, FOLDER, "storefront-delete-1-account")
    (message,) = mail.outbox
    link = re.search(r"http\S+", message.body).group(0)
    assert link.startswith(f"{storefront.base}/storefront/?token=")
    assert link.endswith("#/account/delete")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Eliminar la cuenta")
    expect(page.get_by_text("Vas a eliminar la cuenta lucia@example.com.")).to_be_visible()
    screenshot(page, FOLDER, "storefront-delete-2-confirm")
    page.get_by_role("button", name="Sí, eliminar mi cuenta").click()

    expect(page.get_by_test_id("account-deleted")).to_have_text(
        "Tu cuenta se ha eliminado y tus datos personales se han borrado."
    )
    assert "token=" not in page.url
    screenshot(page, FOLDER, "storefront-delete-3-done")
    user = User.objects.get(pk=user.pk)
    assert re.fullmatch(r"deleted-[0-9a-f]{32}@deleted\.invalid", user.email)
    assert (user.first_name, user.last_name, user.is_active) == ("", "", False)
    assert Address.objects.count() == 0
    assert Order.objects.count() == 0
    expect(page.get_by_role("link", name="Iniciar sesión")).to_be_visible()


def test_the_confirmation_page_without_a_token_says_where_to_find_the_link(
    storefront: Visit,
) -> None:
    page = storefront.open("/account/delete")

    expect(page.get_by_role("heading", level=1)).to_have_text("Eliminar la cuenta")
    expect(page.get_by_text("Abre el enlace que te enviamos por correo")).to_be_visible()
