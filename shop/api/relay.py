"""Relay connections as the shop serves them: page size capped, ``totalCount``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar

import strawberry
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from strawberry import relay
from strawberry.relay.types import PREFIX
from strawberry.types import Info, get_object_definition
from strawberry.types.cast import cast as strawberry_cast
from strawberry_django.queryset import get_queryset_config
from strawberry_django.relay import DjangoListConnection
from strawberry_django.relay.utils import resolve_model_node, resolve_model_nodes
from strawberry_django.resolvers import django_resolver

from shop.api.errors import PublicError


class PageSizeError(PublicError):
    code = "PAGE_SIZE"


def check_page_size(first: int | None, last: int | None) -> None:
    """Refuse ``first``/``last`` outside 0..GRAPHQL_MAX_PAGE_SIZE (values from variables;
    literals are refused earlier by ``MaxPageSizeRule``)."""
    limit = settings.GRAPHQL_MAX_PAGE_SIZE
    for argument, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= limit:
            raise PageSizeError(
                _("'%(argument)s' must be between 0 and %(limit)d.")
                % {"argument": argument, "limit": limit}
            )


class InvalidCursor(PublicError):
    code = "INVALID_CURSOR"


def check_cursors(before: str | None, after: str | None) -> None:
    """Refuse a ``before``/``after`` that is not a cursor a connection gives out
    (``arrayconnection:<offset>`` in base64); the empty string is none either."""
    for argument, cursor in (("before", before), ("after", after)):
        if cursor is not None and _cursor_offset(cursor) is None:
            raise InvalidCursor(_("'%(argument)s' is not a valid cursor.") % {"argument": argument})


def _cursor_offset(cursor: str) -> int | None:
    try:
        prefix, offset = relay.from_base64(cursor)
    except ValueError:
        return None
    # Up to 18 digits: past any list, yet OFFSET + LIMIT stays within a bigint.
    if prefix != PREFIX or not (offset.isascii() and offset.isdigit() and len(offset) <= 18):
        return None
    return int(offset)


@strawberry.type(name="Connection", description="A page of a list, with its total count.")
class ShopConnection(DjangoListConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(
        cls,
        nodes: Any,
        *,
        info: Info,
        before: str | None = None,
        after: str | None = None,
        first: int | None = None,
        last: int | None = None,
        **kwargs: Any,
    ) -> Any:
        check_page_size(first, last)
        check_cursors(before, after)
        arguments = {"before": before, "after": after, "first": first, "last": last, **kwargs}
        config = get_queryset_config(nodes) if isinstance(nodes, QuerySet) else None
        if config is not None and config.optimized_by_prefetching:
            # Nested connections prefetched for many parents at once.
            return super().resolve_connection(nodes, info=info, **arguments)
        # strawberry-django would add COUNT(*) OVER () to the page's query for
        # totalCount: the database must then read and sort every matching row
        # before LIMIT (400 ms at 100,000 products). A separate COUNT is cheap.
        connection = relay.ListConnection.resolve_connection.__func__(  # type: ignore[attr-defined]
            cls, nodes, info=info, **arguments
        )
        connection.nodes = nodes
        return connection


class InvalidID(PublicError):
    code = "INVALID_ID"


def resolve_node(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")],
) -> relay.Node | None:
    """``node(id:)``: the object ``id`` names, or None when there is none (or the
    caller may not see it). Raises ``InvalidID`` when ``id`` names no object type
    implementing ``Node`` (not base64, no ``<type>:<id>``, an unknown or other type)."""
    node_type, node_id = _node_type(id, info)
    # Sync: every Node type is a ModelNode, resolved in the request's thread.
    node: Any = node_type.resolve_node(node_id, info=info, required=False)
    return None if node is None else strawberry_cast(node_type, node)


def _node_type(value: str, info: Info) -> tuple[type[relay.Node], str]:
    invalid = InvalidID(_("'%(argument)s' is not a valid ID.") % {"argument": "id"})
    try:
        global_id = relay.GlobalID.from_id(value)
        node_type = global_id.resolve_type(info)
    except relay.GlobalIDValueError:
        raise invalid from None
    if get_object_definition(node_type, strict=True).is_interface:  # Node itself
        raise invalid
    return node_type, global_id.node_id


def decode_id(value: str, type_name: str) -> int | None:
    """The primary key a global ID names, or None when it is malformed or of another type.

    Inputs take IDs as plain ``ID``s and decode them here, so a bad ID becomes a
    NOT_FOUND payload error instead of failing the whole request.
    """
    try:
        global_id = relay.GlobalID.from_id(value)
    except relay.GlobalIDValueError:
        return None
    if global_id.type_name != type_name or not is_pk(global_id.node_id):
        return None
    return int(global_id.node_id)


MAX_PK = 2**63 - 1


def is_pk(node_id: str) -> bool:
    """ASCII digits within a bigint (``str.isdigit`` alone accepts superscripts and
    other scripts' digits, which ``int`` then misreads or refuses; ``int`` refuses
    more than 4,300 digits too)."""
    return (
        node_id.isascii()
        and node_id.isdigit()
        and len(node_id) <= len(str(MAX_PK))
        and int(node_id) <= MAX_PK
    )


class ModelNode(relay.Node):
    """``Node`` for Django model types: the ID is the primary key.

    Naming it up front skips strawberry's per-object search for a ``NodeID``
    annotation, which otherwise runs for every ID resolved (~1.5 ms each).
    """

    _id_attr: ClassVar[str | None] = "pk"

    # node(id:) with a malformed primary key finds nothing instead of failing.
    @classmethod
    def resolve_node(cls, node_id: str, *, info: Info, required: bool = False) -> Any:
        safe = node_id if is_pk(str(node_id)) else "0"
        resolve: Any = django_resolver(resolve_model_node)
        return resolve(cls, safe, info=info, required=required)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> Any:
        safe = [node_id if is_pk(str(node_id)) else "0" for node_id in node_ids]
        resolve: Any = django_resolver(resolve_model_nodes)
        return resolve(cls, info=info, node_ids=safe, required=required)
