from __future__ import annotations

import pytest

from shop.accounts.models import User
from tests.factories import staff_in_role


@pytest.fixture
def manager() -> User:
    """Staff in the catalogue manager's role: may change the whole catalogue."""
    return staff_in_role("Gestor de catálogo")
