"""The issuer's name, NIF and address are frozen on the invoice at issue: a later
change of settings leaves the invoices issued before as they were."""

from __future__ import annotations

import pytest

from invoicing.rendering import invoice_document
from orders.payments.memory import gateway
from tests.factories.invoicing import METHODS, card_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def test_an_invoice_keeps_the_issuer_it_was_issued_by_after_the_settings_change(settings):
    settings.INVOICE_ISSUER_NAME = "Aguas de la Tienda Demo, S.A."
    settings.INVOICE_ISSUER_NIF = "A99999997"
    settings.INVOICE_ISSUER_ADDRESS = ["Calle Torneo 121", "41002 Sevilla"]
    old = card_order().invoices.get()

    settings.INVOICE_ISSUER_NAME = "Aguas Nuevas, S.A."
    settings.INVOICE_ISSUER_NIF = "A58818501"
    settings.INVOICE_ISSUER_ADDRESS = ["Avenida de la Palmera 1", "41012 Sevilla"]
    new = card_order().invoices.get()

    old.refresh_from_db()
    issuer = invoice_document(old).issuer
    assert (issuer.name, issuer.tax_id, issuer.address) == (
        "Aguas de la Tienda Demo, S.A.",
        "A99999997",
        ("Calle Torneo 121", "41002 Sevilla"),
    )
    assert old.issuer_address == ["Calle Torneo 121", "41002 Sevilla"]
    issuer = invoice_document(new).issuer
    assert (issuer.name, issuer.tax_id, issuer.address) == (
        "Aguas Nuevas, S.A.",
        "A58818501",
        ("Avenida de la Palmera 1", "41012 Sevilla"),
    )
