from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import orjson
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from orders.payments.memory import gateway
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from shop.cache_fallback import clear_fallback

GraphQL = Callable[..., dict[str, Any]]

# The URLconf, and the GraphQL schema with it, reads DEBUG once, at import, as a server does
# when it starts (error masking, introspection, GraphiQL). Imported here, with the test
# settings: otherwise the first test to send a request would build them, with DEBUG on for
# the rest of the run if that test had turned it on.
import_module(django_settings.ROOT_URLCONF)

# Hypothesis draws from its own generator, which pytest-randomly's seed does not reach: without
# this every run tried other examples. Derandomized, each property test tries the same examples
# on every run and machine (a function of the test's code), reads no examples saved by earlier
# runs, and has no deadline (a busy CI machine is not a failure).
hypothesis_settings.register_profile("shop", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("shop")


@pytest.fixture(autouse=True)
def _staff_second_factor(request: pytest.FixtureRequest) -> Iterator[None]:
    """The test client's ``login``/``force_login`` of a staff member also passes
    the admin's second factor, as the admin's sign-in would with a code of their
    authenticator: a confirmed TOTP device, verified in the session. Tests of
    the second step itself opt out with ``@pytest.mark.unverified_staff``."""
    if request.node.get_closest_marker("unverified_staff"):
        yield
        return
    original = Client._login

    def login(client: Client, user: Any, backend: str | None = None) -> None:
        original(client, user, backend)
        if user.is_staff:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="authenticator")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "_login", login)
        yield


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    clear_fallback()
    yield
    cache.clear()
    clear_fallback()


@pytest.fixture(autouse=True)
def _memory_gateway() -> Iterator[None]:
    """Each test starts and ends with the in-memory payment provider empty and
    charging (its outcome, declines and outages are what a test sets)."""
    gateway.reset()
    yield
    gateway.reset()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts and ends with no active language (so the default, Spanish).

    The test client runs LocaleMiddleware in the test's own thread, and the middleware
    leaves the request's language active, as it does in a server thread until the next
    request: without this, a request with ``Accept-Language: en`` would decide the
    language of whatever runs next."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def english() -> Iterator[None]:
    """Code called directly (not through a request) speaks English during the test."""
    with translation.override("en"):
        yield


def _post(
    client: Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    extra = dict(headers or {})
    if user is not None:
        extra["Authorization"] = f"Bearer {create_token(user, 'access')}"
    response = client.post(
        "/graphql/",
        data=orjson.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        headers=extra,
    )
    assert response.status_code == status, response.content
    body: dict[str, Any] = orjson.loads(response.content)
    return body


@pytest.fixture
def gql(client: Client) -> GraphQL:
    """POST a GraphQL document to /graphql/ and return the decoded body."""

    def run(query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        return _post(client, query, variables, **kwargs)

    return run


@pytest.fixture
def fake_stripe() -> Iterator[Any]:
    """A running :class:`tests.fake_stripe.FakeStripe` (the Stripe API over HTTP)."""
    from tests.fake_stripe import FakeStripe

    fake = FakeStripe().start()
    try:
        yield fake
    finally:
        fake.stop()
    assert not fake.errors, f"the fake Stripe itself failed: {fake.errors!r}"


@pytest.fixture
def stripe_settings(settings: Any, fake_stripe: Any) -> Any:
    """Point the card method's settings at ``fake_stripe`` (returned) with test keys."""
    from tests.fake_stripe import WEBHOOK_SECRET

    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return fake_stripe
