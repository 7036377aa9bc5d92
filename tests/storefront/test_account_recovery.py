"""Through the storefront and the real server: a customer who forgot their
password gets back in from the e-mailed link; a new customer confirms their
address; a customer moves their account to a new address."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from shop.accounts.models import Consent, User
from shop.content.models import LegalPage
from tests.browser import docs_copy
from tests.factories import PASSWORD, UserFactory
from tests.storefront.conftest import Visit

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "un-secreto-mucho-mejor-42"


@pytest.fixture(autouse=True)
def _storefront_origin(settings: Any, live_server: Any) -> None:
    settings.SHOP_STOREFRONT_URL = f"{live_server.url}/storefront/"
    mail.outbox = []


def _shot(storefront: Visit, name: str) -> None:
    """A screenshot in the test's artefacts, copied to docs/accounts/ when asked."""
    docs_copy(storefront.shot(name), "accounts")


def _link(to: str) -> str:
    messages = [message for message in mail.outbox if message.to == [to]]
    assert len(messages) == 1, [message.to for message in mail.outbox]
    (url,) = re.findall(r"https?://\S+", messages[0].body)
    return url


def test_a_customer_who_forgot_the_password_gets_back_in(storefront: Visit) -> None:
    user = UserFactory(email="ana@example.com")
    page = storefront.open("/signin")
    page.get_by_role("link", name="¿Has olvidado la contraseña?").click()
    expect(page.get_by_role("heading", level=1, name="Recuperar la contraseña")).to_be_focused()
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    page.get_by_role("button", name="Enviar el enlace").click()
    expect(page.get_by_text("Si ana@example.com tiene una cuenta en la tienda")).to_be_visible()
    _shot(storefront, "reset-1-requested")

    link = _link("ana@example.com")
    assert link.startswith(
        f"{storefront.base}/storefront/#/reset-password?email=ana%40example.com&token="
    )
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Elegir una contraseña nueva")).to_be_visible()
    expect(page.get_by_text("Cuenta: ana@example.com")).to_be_visible()
    page.get_by_label("Contraseña nueva", exact=True).fill("12345678")
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.get_by_role("alert")).not_to_be_empty()
    expect(page.get_by_label("Contraseña nueva", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    _shot(storefront, "reset-2-weak-password")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    page.get_by_label("Contraseña nueva", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_visible()
    expect(page.get_by_text("Sesión iniciada como ana@example.com.")).to_be_visible()
    expect(page.get_by_test_id("confirmed")).to_have_text("Correo confirmado.")
    _shot(storefront, "reset-3-signed-in")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link was for one use.
    page.goto(link)
    page.get_by_label("Contraseña nueva", exact=True).fill("otro-secreto-distinto-7")
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.get_by_role("alert")).not_to_be_empty()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_new_customer_confirms_the_address(storefront: Visit) -> None:
    LegalPage.objects.create(
        kind=LegalPage.Kind.PRIVACY_POLICY, title="Política de privacidad", body="<p>Datos.</p>"
    )
    page = storefront.open("/register")
    page.get_by_label("Nombre").fill("Eva")
    page.get_by_label("Correo electrónico").fill("eva@example.com")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_label("He leído y acepto la política de privacidad").check()
    page.get_by_role("button", name="Crear una cuenta").click()
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_visible()
    expect(page.get_by_text("Cuenta creada. Te hemos enviado un enlace")).to_be_visible()
    expect(page.get_by_test_id("unconfirmed")).to_contain_text("Aún no has confirmado tu correo.")
    _shot(storefront, "confirm-1-registered")
    user = User.objects.get(email="eva@example.com")
    assert user.confirmed_at is None
    assert list(Consent.objects.values_list("email", "context", "document")) == [
        ("eva@example.com", "registration", "privacy_policy")
    ]

    page.goto(_link("eva@example.com"))
    expect(page.get_by_role("heading", level=1, name="Confirmar el correo")).to_be_visible()
    expect(page.get_by_text("Listo: eva@example.com queda confirmado.")).to_be_visible()
    _shot(storefront, "confirm-2-confirmed")
    user.refresh_from_db()
    assert user.confirmed_at is not None

    page.get_by_role("link", name="Mi cuenta").first.click()
    expect(page.get_by_test_id("confirmed")).to_have_text("Correo confirmado.")


def test_a_customer_moves_the_account_to_a_new_address(storefront: Visit) -> None:
    user = UserFactory(email="ana@example.com")
    page = storefront.open("/signin")
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_visible()

    change = page.get_by_role("form", name="Cambiar el correo")
    change.get_by_label("Correo nuevo").fill("ana.nueva@example.com")
    change.get_by_label("Contraseña actual").fill(PASSWORD)
    page.get_by_role("button", name="Cambiar el correo").click()
    expect(page.get_by_text("Te hemos enviado un enlace a ana.nueva@example.com.")).to_be_visible()
    _shot(storefront, "email-change-1-requested")
    assert User.objects.get(pk=user.pk).email == "ana@example.com"

    page.goto(_link("ana.nueva@example.com"))
    expect(page.get_by_text("Tu cuenta usa ya el correo nuevo.")).to_be_visible()
    _shot(storefront, "email-change-2-confirmed")
    user.refresh_from_db()
    assert user.email == "ana.nueva@example.com"
    assert [message.to for message in mail.outbox][-1] == ["ana@example.com"]
