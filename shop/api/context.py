"""Per-request context. The user is resolved lazily, so a request refused by
validation (depth, aliases, tokens, page size) never touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from strawberry.django.context import StrawberryDjangoContext

from shop.api.errors import AuthenticationFailed
from shop.http import client_ip

if TYPE_CHECKING:
    from shop.accounts.models import User

_UNRESOLVED = object()


@dataclass
class ShopContext(StrawberryDjangoContext):
    _user: object = field(default=_UNRESOLVED, init=False, repr=False)
    # Per-request memo for data many resolvers share (e.g. the category tree).
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def user(self) -> User | None:
        """The user named by the ``Authorization: Bearer`` access token, or None.

        Raises ``AuthenticationFailed`` for a token that is malformed, expired or
        revoked: a client holding a bad token must learn it rather than silently
        browse as a guest.
        """
        if self._user is _UNRESOLVED:
            self._user = self._authenticate()
        return self._user  # type: ignore[return-value]

    def sign_in(self, user: User) -> None:
        """Act as ``user`` for the rest of this request (after a successful sign-in),
        so the payload's ``user`` shows what its owner may see."""
        self._user = user

    def _authenticate(self) -> User | None:
        from shop.accounts.tokens import TokenError, user_from_access_token

        header = self.request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(_("The Authorization header must be 'Bearer <token>'."))
        try:
            return user_from_access_token(token.strip())
        except TokenError as exc:
            raise AuthenticationFailed(str(exc)) from exc

    @property
    def client_ip(self) -> str:
        return client_ip(self.request)
