from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from shop.accounts.models import User
from tests.content.helpers import OTHER_STAFF_GROUP, SHOP_ADMINISTRATOR_GROUP


@pytest.fixture
def shop_admin(db: None) -> User:
    user = User.objects.create_user("admin@example.com", "contraseña-segura", is_staff=True)
    user.groups.add(Group.objects.get(name=SHOP_ADMINISTRATOR_GROUP))
    return user


@pytest.fixture
def customer(db: None) -> User:
    return User.objects.create_user("cliente@example.com", "contraseña-segura")


@pytest.fixture
def staff_without_permission(db: None) -> User:
    user = User.objects.create_user("catalogo@example.com", "contraseña-segura", is_staff=True)
    user.groups.add(Group.objects.get(name=OTHER_STAFF_GROUP))
    return user
