"""The schema's graphql-core executor, with a fast path for plain fields.

graphql-core executes every field the same way: a path entry, a resolve-info
object, the resolver, two awaitable checks, the non-null / list / leaf / object
dispatch and, per object, ``is_type_of`` and a loop over its fields. A listing of
100 products resolves ~5,000 values, most of them read straight off rows:
strawberry's *basic* fields (an attribute, or a :class:`shop.api.fields.RowField`),
whose resolver never looks at the info it is given.

For a field whose resolver is basic and whose whole sub-selection is made of such
fields, this executor compiles, once per request and selection, a closure that
calls the same resolvers with no info, coerces leaves with the type's own
``coerce_output_value`` and calls each object type's ``is_type_of``. Anything
unusual -- an exception, a null where the type forbids it, a value a scalar or
``is_type_of`` refuses, ``@defer``/``@stream``, abstract types --
sends that field back to graphql-core's own path, which resolves it again and
reports exactly what it always reports. Resolvers of basic fields are pure reads,
so running one twice on that path changes nothing.

Row fields whose resolver takes ``info`` or arguments (``thumbnail(size:)``,
``pricing``) take the fast path too: their arguments are coerced and converted
once per selection, as graphql-core and strawberry would for each value, and
their info -- for ``info.context`` only, see :mod:`shop.api.fields` -- is built
once per selection. Other fields with arguments go to graphql-core.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import Undefined, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from shop.api.fields import RowField

Complete = Callable[[Any], Any]

# Directives a field may keep after collection without changing how it executes.
_PLAIN_DIRECTIVES = frozenset({"include", "skip"})
_MISSING = object()


class _Slow(Exception):
    """The fast path met something graphql-core must handle."""


def _definition(field: GraphQLField) -> Any:
    return (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)


def _reader(field: GraphQLField) -> Complete | None:
    """``source -> value`` doing what the field's basic resolver does, or None
    when the field's resolver is not basic (it may read info or arguments)."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    definition = _definition(field)
    if type(definition) is RowField:
        if definition.base_resolver is None:
            return attrgetter(definition.django_name or definition.python_name)
        read: Any = definition.base_resolver.wrapped_func
        return lambda source: read(source, source)
    if (
        type(definition) is StrawberryField
        and definition.base_resolver is None
        and definition.default_resolver is getattr
    ):
        return attrgetter(definition.python_name)
    return lambda source: resolve(source, None)


def _needs_core(node: Any) -> bool:
    """A directive other than @include/@skip (@defer, @stream)."""
    return any(directive.name.value not in _PLAIN_DIRECTIVES for directive in node.directives or ())


def _leaf_field(read: Complete, named: Any, non_null: bool) -> Complete:
    """The commonest case, in one frame: read, check, coerce. A ``str`` for a
    String or a ``bool`` for a Boolean is its own coerced value in graphql-core."""
    coerce = named.coerce_output_value
    exact = str if named is GraphQLString else bool if named is GraphQLBoolean else None

    def leaf(source: Any) -> Any:
        value = read(source)
        if type(value) is exact:
            return value
        if value is None:
            if non_null:
                raise _Slow
            return None
        if isinstance(value, Exception):
            raise _Slow
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Slow
        return coerced

    return leaf


def _identity(value: Any) -> Any:
    return value


def _leaf(named: Any) -> Complete:
    """A leaf inside a list (rare): :func:`_leaf_field` on the value itself."""
    return _leaf_field(_identity, named, False)


def _non_null(inner: Complete) -> Complete:
    def non_null(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Slow
        return completed

    return non_null


def _list_of(item: Complete) -> Complete:
    def list_of(value: Any) -> Any:
        if value is None:
            return None
        # As graphql-core: any iterable but a string or a mapping (the
        # prefetch cache holds a QuerySet).
        if not isinstance(value, list | tuple) and not is_iterable(value):
            raise _Slow
        return [item(element) for element in value]

    return list_of


class ShopExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the fast path of the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A resolve middleware must see every field: no fast path then.
        self._fast = manager is None or not getattr(manager, "_middleware_resolvers", None)
        # (parent type name, id of the field's details list) -> compiled field or None.
        # graphql-core keeps those lists alive for the whole execution.
        self._compiled: dict[tuple[str, int], Complete | None] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        if self._fast:
            run = self._compile_field(parent_type, field_details_list)
            if run is not None:
                try:
                    return run(source)
                except Exception:  # noqa: S110 (graphql-core reports it below)
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def build_response(self, data: dict[str, Any] | None) -> Any:
        # graphql-core's context refers to itself (async_helpers), so only the cycle
        # collector frees it: drop its memos now (~1,700 objects for a product page;
        # both are rebuilt on demand), or they pile up until one long collection.
        self._compiled.clear()
        self._relevant_sub_fields.clear()
        return super().build_response(data)

    def _compile_field(self, parent_type: GraphQLObjectType, details: Any) -> Complete | None:
        key = (parent_type.name, id(details))
        run = self._compiled.get(key, _MISSING)
        if run is _MISSING:
            run = self._compiled[key] = self._build_field(parent_type, details)
        return run  # type: ignore[return-value]

    def _build_field(self, parent_type: GraphQLObjectType, details: Any) -> Complete | None:
        node = details[0].node
        field = None if _needs_core(node) else parent_type.fields.get(node.name.value)
        if field is None:
            return None
        read = _reader(field) if not node.arguments else None
        if read is None:
            read = self._row_reader(parent_type, field, details)
        if read is None:
            return None
        field_type = field.type
        non_null = isinstance(field_type, GraphQLNonNull)
        named = field_type.of_type if non_null else field_type
        if is_leaf_type(named):
            return _leaf_field(read, named, non_null)
        complete = self._build_type(field_type, details)
        if complete is None:
            return None

        def run(source: Any) -> Any:
            return complete(read(source))

        return run

    def _row_reader(
        self, parent_type: GraphQLObjectType, field: GraphQLField, details: Any
    ) -> Complete | None:
        """For a row field taking info or arguments: its resolver with this
        selection's arguments and info bound, or None (graphql-core's path)."""
        definition = _definition(field)
        resolver = definition.base_resolver if type(definition) is RowField else None
        if resolver is None or not definition.takes_more:
            return None
        first = details[0]
        try:
            raw = get_argument_values(
                field,
                first.node,
                self.variable_values,
                first.fragment_variable_values,
                self.hide_suggestions,
            )
            strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
            kwargs = convert_arguments(
                raw,
                definition.arguments,
                scalar_registry=strawberry_schema.schema_converter.scalar_registry,
                config=strawberry_schema.config,
            )
        except Exception:
            return None  # graphql-core reports the argument's error
        if resolver.info_parameter is not None:
            raw_info = self.build_resolve_info(
                field,
                [d.node for d in details],
                parent_type,
                None,  # type: ignore[arg-type]
            )
            kwargs[resolver.info_parameter.name] = strawberry_schema.config.info_class(
                _raw_info=raw_info, _field=definition
            )
        read: Any = resolver.wrapped_func
        return lambda source: read(source, source, **kwargs)

    def _build_type(self, type_: GraphQLOutputType, details: Any) -> Complete | None:
        if isinstance(type_, GraphQLNonNull | GraphQLList):
            inner = self._build_type(type_.of_type, details)
            if inner is None:
                return None
            return _non_null(inner) if isinstance(type_, GraphQLNonNull) else _list_of(inner)
        if is_leaf_type(type_):
            return _leaf(type_)
        if isinstance(type_, GraphQLObjectType):
            return self._build_object(type_, details)
        return None

    def _build_object(self, type_: GraphQLObjectType, details: Any) -> Complete | None:
        grouped, defer_usages, _ = self.collect_subfields(type_, details)
        if defer_usages:
            return None
        fields: list[tuple[str, Complete | None]] = []
        for response_name, sub_details in grouped.items():
            if sub_details[0].node.name.value == "__typename":
                fields.append((response_name, None))
                continue
            run = self._compile_field(type_, sub_details)
            if run is None:
                return None
            fields.append((response_name, run))
        # Strawberry's and strawberry-django's is_type_of never read the info.
        is_type_of: Any = type_.is_type_of
        name = type_.name

        def obj(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, Exception):
                raise _Slow
            if is_type_of is not None and is_type_of(value, None) is not True:
                raise _Slow
            return {key: name if run is None else run(value) for key, run in fields}

        return obj
