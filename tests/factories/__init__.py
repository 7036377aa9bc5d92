"""Test data by domain: ``accounts`` (users, staff, addresses), ``api`` (global
IDs), ``catalog``, ``orders`` (checkouts, placed orders, shipping), ``billing``,
``invoicing`` and ``audit`` (the admin history). The accounts factories and
``gid`` are re-exported here, as
``tests.factories`` offered them before it was split."""

from tests.factories.accounts import (
    PASSWORD,
    AddressFactory,
    StaffFactory,
    UserFactory,
    staff_in_role,
)
from tests.factories.api import gid

__all__ = ["PASSWORD", "AddressFactory", "StaffFactory", "UserFactory", "gid", "staff_in_role"]
