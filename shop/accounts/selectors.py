"""Account reads used by the API and the administration."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shop.accounts.models import Address, User


def user_addresses(user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("pk")


def customers(*, search: str = "") -> QuerySet[User]:
    queryset = User.objects.filter(is_staff=False).order_by("-date_joined", "-pk")
    if search:
        queryset = queryset.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    return queryset
