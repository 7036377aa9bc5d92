"""The published legal texts come from the process's copy while the legal texts
version read with the checkout is the one they were read under; every kind of
write to the legal pages (the service, a save, a bulk update, a delete) changes
the version in its transaction, so the first checkout read after it sees the write."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.models import Payment
from orders.selectors import checkout_for
from shop.accounts import roles
from shop.content import services as content
from shop.content.models import LegalPage, LegalVersion
from shop.content.selectors import published_legal_texts
from tests.content.factories import LegalPageFactory
from tests.factories.accounts import staff_in_role
from tests.factories.orders import ready_checkout

pytestmark = pytest.mark.django_db

TERMS = LegalPage.Kind.TERMS_OF_SALE


@pytest.fixture
def checkout():
    return ready_checkout()


def published(checkout) -> tuple[dict[str, str], int]:
    """The legal texts' titles by kind, read as the checkout services read them
    (the checkout with the versions, then the texts), and the statements that took."""
    with CaptureQueriesContext(connection) as queries:
        found = checkout_for(None, token=checkout.token)
        texts = published_legal_texts(found.legal_version)  # type: ignore[attr-defined]
    return {kind: page.title for kind, page in texts.items()}, len(queries)


def test_unchanged_texts_are_not_read_again(checkout):
    LegalPageFactory(kind=TERMS, title="Condiciones")
    first = published(checkout)
    assert first == ({TERMS: "Condiciones"}, 2)
    assert published(checkout) == ({TERMS: "Condiciones"}, 1)  # the checkout alone


def test_a_text_saved_is_seen(checkout):
    page = LegalPageFactory(kind=TERMS, title="Condiciones")
    published(checkout)
    page.title = "Condiciones de venta"
    page.save()
    assert published(checkout) == ({TERMS: "Condiciones de venta"}, 2)


def test_a_bulk_update_is_seen(checkout):
    LegalPageFactory(kind=TERMS, title="Condiciones")
    published(checkout)
    LegalPage.objects.filter(kind=TERMS).update(title="Otras")
    assert published(checkout)[0] == {TERMS: "Otras"}


def test_a_text_published_by_the_service_is_seen(checkout):
    published(checkout)
    content.legal_page_update(
        actor=staff_in_role(roles.SHOP_ADMINISTRATOR),
        kind=TERMS,
        data={"title": "Condiciones", "body": "<p>Texto</p>"},
    )
    assert published(checkout)[0] == {TERMS: "Condiciones"}


def test_a_text_deleted_is_seen(checkout):
    page = LegalPageFactory(kind=TERMS)
    published(checkout)
    page.delete()
    assert published(checkout)[0] == {}


def test_a_version_lost_to_a_flush_reads_the_texts_every_time(checkout):
    LegalPageFactory(kind=TERMS, title="Condiciones")
    LegalVersion.objects.all().delete()
    assert published(checkout) == ({TERMS: "Condiciones"}, 2)
    assert published(checkout)[1] == 2


def test_terms_published_after_the_copy_was_read_are_required_at_the_payment_start(checkout):
    # given: a first start read the texts while the shop published no terms
    services.checkout_payment_start(checkout=checkout, method_code="card")
    # when: terms are published, and the cart is started again without accepting them
    LegalPageFactory(kind=TERMS)
    with pytest.raises(ValidationError) as refused:
        services.checkout_payment_start(checkout=checkout, method_code="card")
    # then: refused, and the payment is as the first start left it
    errors = refused.value.error_dict
    assert [(field, [e.code for e in found]) for field, found in errors.items()] == [
        ("accept_terms_of_sale", ["required"])
    ]
    assert list(Payment.objects.filter(checkout=checkout).values_list("details__accepted")) == [
        ([],)
    ]
