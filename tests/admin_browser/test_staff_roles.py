"""The roles each browser test grants again are the roles the migrations made."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from shop.accounts.roles import ROLE_NAMES
from tests.admin_browser.conftest import grant_roles

pytestmark = pytest.mark.django_db


def roles() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_granting_the_roles_again_rebuilds_them_as_the_migrations_made_them(role_grants):
    migrated = roles()
    Group.objects.all().delete()

    grant_roles(role_grants)

    assert sorted(migrated) == sorted(ROLE_NAMES)
    assert all(migrated.values())
    assert roles() == migrated
