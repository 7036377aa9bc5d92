"""Account reads used by the API and the administration."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shop.accounts.models import Address, User
from shop.errors import NotFound


def staff_may(user: User | None, permission: str) -> bool:
    """Whether ``user`` is staff holding ``permission`` (``"app_label.codename"``)."""
    return user is not None and user.is_staff and user.has_perm(permission)


def addresses_visible_to(user: User | None) -> QuerySet[Address]:
    """Every address for staff who may view them, the user's own otherwise."""
    if user is None:
        return Address.objects.none()
    if staff_may(user, "accounts.view_address"):
        return Address.objects.all()
    return Address.objects.filter(user=user)


def users_visible_to(user: User | None) -> QuerySet[User]:
    """Every user for staff who may view them, the user themself otherwise."""
    if user is None:
        return User.objects.none()
    if staff_may(user, "accounts.view_user"):
        return User.objects.all()
    return User.objects.filter(pk=user.pk)


def address_for(user: User | None, *, id: int | None) -> Address:
    """The user's own address ``id``; ``NotFound`` for anybody else's."""
    address = Address.objects.filter(pk=id, user=user).first() if user and id else None
    if address is None:
        raise NotFound(_("Address not found."))
    return address


def customers(*, search: str = "") -> QuerySet[User]:
    queryset = User.objects.filter(is_staff=False).order_by("-date_joined", "-pk")
    if search:
        queryset = queryset.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    return queryset
