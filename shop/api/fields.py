"""Row fields: GraphQL fields read straight off a prefetched row, for hot types.

A ``strawberry_django`` field runs its per-field machinery for every value it
resolves (an info object, argument parsing, the extension chain,
``django_resolver``); a listing of 100 products resolves ~5,000 values. A row
field is a *basic* field to strawberry: graphql-core calls one small function per
value, which reads the row's attribute or calls the resolver with the row.
The optimizer still reads the field's ``select_related``/``prefetch_related``
hints, so relations are prefetched once per list as before.

A row field's resolver takes ``(self, root)``, then optionally ``info`` and
GraphQL arguments. What it computes depends on the row, the arguments, the active
language and ``info.context`` alone (the executor's fast path evaluates the
arguments once per selection and hands every row of a selection the same info,
without a path); access rules stay in ``get_queryset`` and the selectors. A row
field with ``info`` or arguments is not *basic* to strawberry, whose own path
then passes them, but it still skips strawberry-django's per-field machinery.
"""

from __future__ import annotations

from typing import Any

from strawberry import relay
from strawberry_django.fields.field import StrawberryDjangoField
from typing_extensions import override


class RowField(StrawberryDjangoField):
    """A field whose value is its resolver's ``(root, root)``, or the row's attribute."""

    @property
    def is_basic_field(self) -> bool:
        return self.base_resolver is None or not self.takes_more

    @property
    def takes_more(self) -> bool:
        """The resolver takes ``info`` or GraphQL arguments after ``(self, root)``."""
        return self.base_resolver is not None and bool(
            self.arguments or self.base_resolver.info_parameter
        )

    @override
    def get_result(self, source: Any, info: Any, args: Any, kwargs: Any) -> Any:
        if self.base_resolver is not None:
            read: Any = self.base_resolver.wrapped_func
            if self.takes_more:
                return read(*args, **kwargs)  # strawberry's own (self, root=, info=, ...)
            return read(source, source)
        return getattr(source, self.django_name or self.python_name)

    def __call__(self, resolver: Any) -> Any:
        code = resolver.__code__
        names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
        if names[:2] != ["self", "root"]:
            raise TypeError(f"A row field's resolver takes (self, root, ...), not {names}.")
        return super().__call__(resolver)


def row_field(
    *,
    name: str | None = None,
    description: str | None = None,
    select_related: list[str] | None = None,
    prefetch_related: list[Any] | None = None,
    annotate: dict[str, Any] | None = None,
) -> Any:
    """A :class:`RowField`: assigned (``sku: str = row_field()``) it reads the row's
    attribute; as a decorator it wraps a ``(self, root)`` method.

    ``select_related``/``prefetch_related``/``annotate`` are optimizer hints, as on
    ``strawberry_django.field``: the resolver may rely on them being loaded.
    """
    return RowField(
        graphql_name=name,
        description=description,
        select_related=select_related,
        prefetch_related=prefetch_related,
        annotate=annotate,
    )


def node_id_field(type_name: str) -> Any:
    """The ``id`` of a ``ModelNode`` type named ``type_name``, as a row field: the
    global ID relay's own resolver gives, without its per-value type look-up."""

    def id(self: Any, root: Any) -> relay.GlobalID:  # noqa: ARG001 (a row field takes (self, root))
        return relay.to_base64(type_name, root.pk)  # type: ignore[return-value]

    return row_field(name="id", description="The Globally Unique ID of this object")(id)
