"""Writes of the water-bill route."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from billing_bridge.models import BillCharge, ContractLink, SupplyContract
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


@transaction.atomic
def contract_terminate(*, contract: SupplyContract, final_cutoff: date) -> int:
    """Mark ``contract`` terminated (the billing system said so): its outstanding
    installments not yet sent move to its final bill. Returns how many moved."""
    contract = SupplyContract.objects.select_for_update().get(pk=contract.pk)
    contract.status = SupplyContract.Status.TERMINATED
    contract.next_cutoff = final_cutoff
    contract.save(update_fields=["status", "next_cutoff"])
    return BillCharge.objects.filter(
        contract=contract, status=BillCharge.Status.PENDING, due_cutoff__gt=final_cutoff
    ).update(due_cutoff=final_cutoff)
