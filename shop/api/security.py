"""Request limits and the schema's extensions.

Validation rules are built once, at import: the validation cache is keyed by
the rule classes, so rules created per request would never hit it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from graphql import (
    ArgumentNode,
    ASTValidationRule,
    GraphQLError,
    IntValueNode,
    NoSchemaIntrospectionCustomRule,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

PAGE_SIZE_ARGUMENTS = frozenset({"first", "last"})


class MaxPageSizeRule(ValidationRule):
    """Refuse a literal ``first``/``last`` above the page-size cap before anything runs.

    Values passed in variables are checked by the connection resolver itself.
    The message is English, like graphql-core's own: validation results are
    cached per document, whatever the request's language.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.limit = settings.GRAPHQL_MAX_PAGE_SIZE

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        if node.name.value not in PAGE_SIZE_ARGUMENTS or not isinstance(node.value, IntValueNode):
            return
        value = int(node.value.value)
        if value > self.limit or value < 0:
            self.report_error(
                GraphQLError(
                    f"'{node.name.value}' must be between 0 and {self.limit}.",
                    nodes=[node],
                )
            )


def _build_rules() -> list[type[ASTValidationRule]]:
    rules: list[type[ASTValidationRule]] = [MaxPageSizeRule]
    rules += QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH).validation_rules
    rules += MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES).validation_rules
    if not settings.DEBUG:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


VALIDATION_RULES = _build_rules()
CACHE_SIZE = 512


def schema_extensions() -> list[Callable[[], SchemaExtension]]:
    """Factories, not instances: strawberry makes a fresh extension per request."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(VALIDATION_RULES),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
    return extensions
