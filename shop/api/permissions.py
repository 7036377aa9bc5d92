"""Authorisation helpers for resolvers: they raise top-level ``PublicError``s."""

from __future__ import annotations

from django.utils.translation import gettext as _
from strawberry.types import Info

from shop.accounts.models import User
from shop.accounts.selectors import staff_may
from shop.api.context import ShopContext
from shop.api.errors import AuthenticationFailed, PermissionDenied


def require_user(info: Info[ShopContext, None]) -> User:
    user = info.context.user
    if user is None:
        raise AuthenticationFailed(_("You need to sign in to do this."))
    return user


def require_permission(info: Info[ShopContext, None], permission: str) -> User:
    """The signed-in staff member holding ``permission`` (``"app_label.codename"``)."""
    user = require_user(info)
    if not staff_may(user, permission):
        raise PermissionDenied(_("You do not have permission to do this."))
    return user
