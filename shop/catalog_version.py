"""The catalogue version: a token that changes whenever what anonymous shoppers
can read changes (products, variants, prices, stock, reservations, categories,
collections, attributes, media, the shop's content).

Every service writing those tables calls :func:`catalog_changed` inside its
transaction; the token is replaced when the transaction commits, so the first
request after the commit reads the new one. Cached public responses
(``shop.api.persisted``) are keyed by it: a new token makes every earlier entry
unreachable. The token is random rather than a counter, so a cache that evicts
or loses it can never bring an old version (and its stale entries) back.

It lives in Django's cache: shared by every process with Redis (``REDIS_URL``);
per process with the local-memory cache, which suits one process only. A cache
outage never fails the write that changed the catalogue: the bump is a robust
commit callback, and readers answer uncached while the cache is away.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

from django.core.cache import cache
from django.db import models, transaction

from shop.audit import record_change

if TYPE_CHECKING:
    from shop.accounts.models import User

KEY = "catalog-version"
PositionedT = TypeVar("PositionedT", bound=models.Model)


def catalog_changed() -> None:
    """Mark the public catalogue as changed once the current transaction commits
    (at once outside a transaction). Several calls in one transaction bump once each,
    which costs nothing more than a cache write."""
    transaction.on_commit(_bump, robust=True)


def record_catalog_change(
    *,
    actor: User,
    obj: models.Model,
    action: Literal["add", "change", "delete"],
    changed: Sequence[str] = (),
) -> None:
    """What every write to what shoppers read ends with: :func:`catalog_changed`,
    and the history entry saying who did it (a change lists what it set: field
    names, or "field: old → new").
    A deletion records before it deletes: the entry needs the row's key."""
    catalog_changed()
    record_change(actor=actor, obj=obj, action=action, message=", ".join(changed))


def positions_record(
    *, actor: User, model: type[PositionedT], rows: dict[int, PositionedT], ids: list[int]
) -> list[PositionedT]:
    """Give ``rows`` of ``model`` (by primary key, locked by the caller) the positions 1, 2, ...
    in the order of ``ids``, which the caller checked names each of them once; each
    change is recorded. Returns the rows in their new order."""
    for position, pk in enumerate(ids, start=1):
        rows[pk].position = position  # type: ignore[attr-defined]
    model._default_manager.bulk_update(rows.values(), ["position"])
    for row in rows.values():
        record_catalog_change(actor=actor, obj=row, action="change", changed=["position"])
    return [rows[pk] for pk in ids]


def _bump() -> None:
    cache.set(KEY, secrets.token_hex(8), timeout=None)


def catalog_version() -> str:
    """The current token (a new one when the cache has none)."""
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(KEY)
    return str(version)
