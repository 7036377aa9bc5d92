"""Writes of the water-bill route."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from billing_bridge.models import ContractLink, SupplyContract
from shop.accounts.models import User


@transaction.atomic
def contracts_link_vouched(*, user: User, numbers: Sequence[str]) -> list[ContractLink]:
    """Link ``user`` to the contracts the portal vouches for (its signed token
    lists them). Numbers the mirror does not know are skipped; linking again
    changes nothing. Returns the user's links to those contracts."""
    contracts = SupplyContract.objects.filter(number__in=[n.strip() for n in numbers])
    links = []
    for contract in contracts:
        link, _created = ContractLink.objects.get_or_create(
            user=user, contract=contract, defaults={"source": ContractLink.Source.PORTAL}
        )
        links.append(link)
    return links
