"""How failures reach clients.

Expected business failures are payload errors: each domain has an error type
``<Domain>Error { field code message }`` implementing the ``ShopError``
interface, with ``code`` from that domain's enum. Services raise Django's
``ValidationError`` with an enum member as ``code``; :func:`payload_errors`
turns it into the domain's error objects.

Top-level GraphQL errors are for malformed requests, authentication and
permission failures (:class:`PublicError`, shown as they are) and bugs
(masked in production).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from graphql import GraphQLError
from strawberry import relay
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.utils.str_converters import to_camel_case
from typing_extensions import override

# Configured in settings.LOGGING: server errors in full, client errors in one line.
logger = logging.getLogger("shop.api")


@strawberry.interface(description="A business error returned in a mutation payload.")
class ShopError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null for the whole input."
    )
    message: str = strawberry.field(description="A human-readable, translated message.")


class PublicError(Exception):
    """A top-level error whose message is safe to show; ``code`` goes to ``extensions``."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions = {"code": self.code}


class AuthenticationFailed(PublicError):
    code = "UNAUTHENTICATED"


class PermissionDenied(PublicError):
    code = "PERMISSION_DENIED"


ErrorT = TypeVar("ErrorT")
CodeT = TypeVar("CodeT", bound=enum.Enum)


def payload_errors(
    exc: ValidationError,
    error_type: Callable[..., ErrorT],
    codes: type[CodeT],
    fallback: CodeT,
) -> list[ErrorT]:
    """Turn a ``ValidationError`` into ``error_type(field=, code=, message=)`` objects.

    Field names are converted to the API's camelCase; codes outside ``codes``
    (Django's own validators, say) become ``fallback``.
    """
    by_field: dict[str, list[ValidationError]] = (
        exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    )
    errors: list[ErrorT] = []
    for name, field_errors in by_field.items():
        field = None if name == NON_FIELD_ERRORS else to_camel_case(name)
        for error in field_errors:
            for message in error.messages:
                errors.append(
                    error_type(
                        field=field, code=_code(error.code, codes, fallback), message=message
                    )
                )
    return errors


def _code(raw: Any, codes: type[CodeT], fallback: CodeT) -> CodeT:
    if isinstance(raw, codes):
        return raw
    try:
        return codes(raw)
    except ValueError:
        return fallback


def should_mask(error: GraphQLError) -> bool:
    """Whether ``error`` is the server's: it wraps an exception not meant for clients.

    ``GraphQLError``s wrapped by graphql-core (variable coercion, say) and
    malformed global IDs describe the request, not the server: shown.
    """
    original = error.original_error
    client_facing = (PublicError, GraphQLError, relay.GlobalIDValueError)
    return original is not None and not isinstance(original, client_facing)


class MaskedError(GraphQLError):
    """What a client sees of a server error."""


MASKED_MESSAGE = "Unexpected error."


def mask(error: GraphQLError) -> GraphQLError:
    """``error`` as a client may see it: a :class:`MaskedError` if it is the server's."""
    if not should_mask(error):
        return error
    return MaskedError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
    )


class ShopSchema(strawberry.Schema):
    """The schema, logging every error (:func:`log_errors`) and, unless DEBUG was on
    when it was built, masking the server's.

    Masking is done on the result, not by strawberry's ``MaskErrors`` extension:
    for an exception raised outside a resolver (a validation rule, an extension)
    strawberry builds the error result after the extensions' hooks have unwound,
    so the extension never sees it and its message reached the client.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mask_errors = not settings.DEBUG

    def execute_sync(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = super().execute_sync(*args, **kwargs)
        if self.mask_errors and result.errors:
            result.errors = [mask(error) for error in result.errors]
        return result

    @override
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


def is_server_error(error: GraphQLError) -> bool:
    return isinstance(error, MaskedError) or should_mask(error)


def log_errors(errors: list[GraphQLError]) -> None:
    """Server errors at ERROR with their traceback; the client's (bad input, refused
    access, invalid documents) at INFO on one line, as the client is told of them."""
    for error in errors:
        if is_server_error(error):
            logger.error("%s", error, exc_info=error.original_error)
        else:
            code = (error.extensions or {}).get("code", "-")
            logger.info("Client error %s at %s: %s", code, error.path, error.message)


def request_error_status(result: ExecutionResult) -> int | None:
    """The HTTP status of a request refused before execution (a *request error*: its
    errors have no path): 400 for the client's fault (a document that does not
    parse or validate, variables that do not coerce), 500 for the server's.
    None when the operation was executed, whatever errors its fields raised."""
    if result.data is not None or not result.errors or any(e.path for e in result.errors):
        return None
    return 500 if any(is_server_error(error) for error in result.errors) else 400
