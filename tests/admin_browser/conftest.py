"""Browser tests of the back office: staff sign in through the admin's own login
form and work in Spanish (the admin's default) on pytest-django's live server,
with Playwright driving the system's Chromium (see :mod:`tests.browser`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from billing_bridge.models import ContractLink, SupplyContract
from orders import services
from orders.models import Order
from orders.payments.memory import gateway
from shop.accounts import roles
from shop.accounts.models import User
from tests.browser import TIMEOUT_MS, screenshot
from tests.browser import _async_unsafe_allowed as _async_unsafe_allowed
from tests.browser import browser as browser
from tests.factories import PASSWORD, UserFactory
from tests.factories.orders import ready_checkout, staff_in_role, stocked_variant

FOLDER = "admin"
STAFF_PASSWORD = PASSWORD  # what tests.factories.StaffFactory sets


@pytest.fixture(scope="session")
def role_grants() -> list[tuple[Callable[..., None], Any]]:
    """The data migrations' functions that create the staff roles and grant
    them permissions (those using :mod:`shop.accounts.roles`), in migration
    order, with the models as they are after the last migration."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    grants = [
        operation.code
        for key in plan
        for operation in loader.graph.nodes[key].operations
        if isinstance(operation, RunPython)
        and any(value in (roles, roles.grant) for value in operation.code.__globals__.values())
    ]
    models = loader.project_state().apps
    return [(grant, models) for grant in grants]


def grant_roles(grants: list[tuple[Callable[..., None], Any]]) -> None:
    """Run the migrations' role grants (idempotent) on the current database."""
    editor = SimpleNamespace(connection=connection)
    for grant, models in grants:
        grant(models, editor)


@pytest.fixture
def staff_roles(transactional_db: None, role_grants: list[tuple[Callable[..., None], Any]]) -> None:
    """The roles as the migrations grant them. A transactional test ends by
    emptying every table; Django then re-creates content types and permissions
    but not the roles' groups, so each browser test grants them again."""
    grant_roles(role_grants)


@pytest.fixture(autouse=True)
def shop_settings(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Both payment routes (the card through the in-memory test double), the
    billing exchange writing files under ``tmp_path``, uploads there too."""
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_DIR = tmp_path / "billing"
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    settings.MEDIA_ROOT = tmp_path / "media"
    gateway.reset()
    yield
    gateway.reset()


@dataclass
class BackOffice:
    """A browser page on the live admin, with every JavaScript error it raised."""

    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        """Go to ``path`` of the live server; returns the response."""
        return self.page.goto(f"{self.base}{path}")

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def sign_in(self, user: User, password: str = STAFF_PASSWORD) -> Page:
        """Sign ``user`` in through the admin's login form (in Spanish, the
        admin's default), then its second step with a code of the user's
        authenticator (:func:`authenticator_of`); returns the page, on the
        admin's index."""
        page = self.page
        device = authenticator_of(user)
        self.open("/admin/login/?next=/admin/")
        page.get_by_label("Correo electrónico").fill(user.email)
        page.get_by_label("Contraseña").fill(password)
        page.get_by_role("button", name="Iniciar sesión").click()
        expect(page).to_have_url(self.url("/admin/otp/verify/?next=/admin/"))
        page.locator("input[name=code]").fill(totp_code(device))
        page.locator("#otp-form [type=submit]").click()
        expect(page).to_have_url(self.url("/admin/"))
        expect(page.get_by_role("heading", name="Panel de control", level=1)).to_be_visible()
        return page

    def shot(self, name: str) -> Path:
        return screenshot(self.page, FOLDER, name)

    def public_graphql(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The live server's ``/graphql/`` answer to ``document``, asked as an
        anonymous shopper in Spanish (a fresh browser context: no staff session).

        Over HTTP, not with Django's test client: the test thread runs
        Playwright's event loop, in which the schema would resolve asynchronously.
        """
        context = self.page.context.browser.new_context(locale="es-ES")
        try:
            response = context.request.post(
                self.url("/graphql/"), data={"query": document, "variables": variables}
            )
            assert response.status == 200, response.text()
            body: dict[str, Any] = response.json()
            return body
        finally:
            context.close()


@pytest.fixture
def back_office(browser: Any, live_server: Any, staff_roles: None) -> Iterator[BackOffice]:
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = BackOffice(page=page, base=live_server.url)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    try:
        yield visit
    finally:
        context.close()
    assert visit.errors == [], f"JavaScript errors: {visit.errors}"


def authenticator_of(user: User) -> TOTPDevice:
    """The staff member's confirmed authenticator (made if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator")


def totp_code(device: TOTPDevice) -> str:
    """What the authenticator app shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def staff(role: str, email: str) -> User:
    """A staff member in ``role`` who signs in with :data:`STAFF_PASSWORD`."""
    return cast(User, staff_in_role(role, email=email))


def supply_contract(number: str, *, days_to_cutoff: int = 20) -> SupplyContract:
    """An active contract in good standing whose next bill cut-off is ``days_to_cutoff`` away."""
    return SupplyContract.objects.create(
        number=number,
        holder_name=f"Titular {number}",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=timezone.localdate() + timedelta(days=days_to_cutoff),
    )


def water_bill_order(
    contract: SupplyContract, *, email: str, price: str = "10.00", quantity: int = 2
) -> Order:
    """An order of a customer linked to ``contract``, paid on the water bill in
    one installment (one bill charge due at the contract's next cut-off)."""
    user = UserFactory(email=email)
    ContractLink.objects.create(user=user, contract=contract, source=ContractLink.Source.PORTAL)
    checkout = ready_checkout(
        lines=[(stocked_variant(price=price), quantity)], user=user, email=email
    )
    services.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": contract.number, "installments": 1},
    )
    return services.checkout_complete(checkout=checkout, actor=user)
