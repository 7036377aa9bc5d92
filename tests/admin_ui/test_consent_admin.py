"""Consents in the admin: a read-only list for the shop administrator (who,
which text, which version, when, where from), with filters; nobody adds,
changes or deletes one there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.accounts.models import Consent
from shop.accounts.roles import ORDER_MANAGER, SHOP_ADMINISTRATOR
from tests.factories import UserFactory
from tests.factories.orders import staff_in_role

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/consent/"


def consent(**fields) -> Consent:
    now = timezone.now()
    values = {
        "email": "ana@example.com",
        "context": Consent.Context.REGISTRATION,
        "document": "privacy_policy",
        "version": now - timedelta(days=10),
        "digest": "d" * 64,
        "accepted_at": now - timedelta(days=1),
        **fields,
    }
    return Consent.objects.create(**values)


def listed(response) -> list[int]:
    return [row.pk for row in response.context["cl"].result_list]


def test_the_shop_administrator_lists_the_consents_with_who_what_version_when_and_where(client):
    # given
    client.force_login(staff_in_role(SHOP_ADMINISTRATOR))
    user = UserFactory(email="ana@example.com")
    older = consent(user=user, accepted_at=timezone.now() - timedelta(days=2))
    newer = consent(
        user=None,
        email="invitado@example.com",
        context=Consent.Context.CHECKOUT,
        document="terms_of_sale",
        reference="TA-000007",
    )

    # when
    response = client.get(LIST)

    # then: newest first, with the columns asked for
    assert response.status_code == 200
    assert listed(response) == [newer.pk, older.pk]
    page = response.content.decode()
    assert "Condiciones de venta" in page  # the legal text's name, in Spanish
    assert "TA-000007" in page
    assert "invitado@example.com" in page
    assert not response.context["has_add_permission"]
    assert "delete_selected" not in response.context["cl"].model_admin.get_actions(
        response.wsgi_request
    )


def test_the_list_filters_by_legal_text_and_context(client):
    # given
    client.force_login(staff_in_role(SHOP_ADMINISTRATOR))
    privacy = consent()
    terms = consent(document="terms_of_sale", context=Consent.Context.CHECKOUT)

    # when / then
    assert listed(client.get(LIST, {"document": "terms_of_sale"})) == [terms.pk]
    assert listed(client.get(LIST, {"document": "privacy_policy"})) == [privacy.pk]
    assert listed(client.get(LIST, {"context": "registration"})) == [privacy.pk]
    assert listed(client.get(LIST, {"q": "ana@"})) == [terms.pk, privacy.pk]


def test_the_list_takes_the_same_queries_for_one_consent_or_many(client):
    client.force_login(staff_in_role(SHOP_ADMINISTRATOR))
    consent(user=UserFactory())
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(5):
        consent(user=UserFactory())

    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)

    assert len(listed(response)) == 6
    assert len(many) == len(one)


def test_a_consent_is_shown_but_never_added_changed_or_deleted(client):
    # given
    client.force_login(staff_in_role(SHOP_ADMINISTRATOR))
    row = consent()
    before = list(Consent.objects.values())

    # when
    shown = client.get(f"{LIST}{row.pk}/change/")
    changed = client.post(f"{LIST}{row.pk}/change/", {"email": "otro@example.com"})
    added = client.post(f"{LIST}add/", {"email": "otro@example.com"})
    deleted = client.post(f"{LIST}{row.pk}/delete/", {"post": "yes"})
    bulk = client.post(LIST, {"action": "delete_selected", "_selected_action": [row.pk]})

    # then
    assert shown.status_code == 200
    assert shown.context["has_change_permission"] is False
    assert (changed.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    assert list(Consent.objects.values()) == before


def test_staff_without_the_role_see_no_consent(client):
    client.force_login(staff_in_role(ORDER_MANAGER))
    consent()

    assert client.get(LIST).status_code == 403
