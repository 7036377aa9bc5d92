"""Who may open, read, answer and act on a claim: the order's customer, whoever
holds the order's token, and claims staff. Anybody else finds nothing, staff
operations are refused to everybody else, and a refused request changes
nothing (claims, their status and thread, refunds, stock). Photos are served
only through signed links that expire."""

from __future__ import annotations

import io
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core import signing
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.views.static import serve
from PIL import Image
from strawberry import relay

from catalog.models import Stock
from orders import models
from orders.payments.memory import gateway
from orders.services import claims
from orders.views import PHOTO_LINK_SECONDS, SALT
from shop.accounts import roles
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from tests.factories import StaffFactory, UserFactory
from tests.factories.orders import gid, shipped_order, staff_in_role
from tests.operations import operation

pytestmark = pytest.mark.django_db

CREATE = operation("storefront/ClaimCreate")
CLAIM = operation("storefront/Claim")
MY_CLAIMS = operation("storefront/MyClaims")
MESSAGE = operation("storefront/ClaimMessageAdd")
ANSWER = operation("staff/ClaimAnswer")
UPDATE_STATUS = operation("staff/ClaimUpdateStatus")
RESOLVE = operation("staff/ClaimResolve")
STAFF_CLAIMS = operation("staff/Claims")
NODE = """
query Node($id: ID!) {
  node(id: $id) { id ... on Claim { number status } }
}
"""
ORDER_BY_TOKEN_CLAIMS = """
query OrderByTokenClaims($token: UUID!) {
  orderByToken(token: $token) { number claims { id number status } }
}
"""
ORDER_CLAIMS = """
query OrderClaims($id: ID!) {
  order(id: $id) { number claims { id number status } }
}
"""
CLAIM_EVENTS = """
query ClaimEvents($id: ID!) {
  claim(id: $id) { number events { type actorEmail } }
}
"""


@pytest.fixture(autouse=True)
def private_root(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    # FileField calls its storage callable once, when the model class is built,
    # so the overridden setting alone would not reach it.
    field = models.ClaimAttachment._meta.get_field("image")
    monkeypatch.setattr(field, "storage", storages["private"])
    return root


def open_claim(order: models.Order) -> models.Claim:
    return claims.claim_create(
        actor=order.user,
        order=order,
        reason=models.Claim.Reason.DAMAGED,
        description="Una jarra llegó rota.",
        lines=[(order.lines.get(), 1)],
    )


@pytest.fixture
def world() -> dict[str, Any]:
    """A customer's shipped order with a claim, a guest's shipped order with a
    claim, and everybody who might ask about them."""
    owner = UserFactory(email="owner@example.com")
    order = shipped_order(owner)
    guest_order = shipped_order(None, email="invitado@example.com")
    return {
        "owner": owner,
        "order": order,
        "claim": open_claim(order),
        "guest order": guest_order,
        "guest claim": open_claim(guest_order),
        "guest": None,
        "another customer": UserFactory(email="other@example.com"),
        "order manager": staff_in_role(roles.ORDER_MANAGER, email="gestor@example.com"),
        "catalogue manager": staff_in_role(roles.CATALOGUE_MANAGER),
        "claims viewer": StaffFactory(permissions=["orders.view_claim"]),
    }


def claims_state() -> dict[str, Any]:
    """Everything a refused claim request must leave as it was."""
    return {
        "claims": list(
            models.Claim.objects.order_by("pk").values_list(
                "pk", "status", "resolution", "refund_amount", "replacement_order_id", "resolved_at"
            )
        ),
        "lines": list(
            models.ClaimLine.objects.order_by("pk").values_list(
                "claim_id", "order_line_id", "quantity"
            )
        ),
        "messages": list(
            models.ClaimMessage.objects.order_by("pk").values_list(
                "claim_id", "author_id", "from_staff", "body"
            )
        ),
        "events": list(models.ClaimEvent.objects.order_by("pk").values_list("claim_id", "type")),
        "refunds": list(
            models.PaymentTransaction.objects.filter(kind="refund").values_list("amount", "status")
        ),
        "gateway refunds": dict(gateway.refunds),
        "orders": models.Order.objects.count(),
        "stock": list(Stock.objects.order_by("pk").values_list("pk", "quantity", "allocated")),
    }


def create_input(order: models.Order, **fields: Any) -> dict[str, Any]:
    return {
        "reason": "WRONG_ITEM",
        "description": "Me llegó otra marca.",
        "lines": [{"lineId": gid("OrderLine", order.lines.get().pk), "quantity": 1}],
        **fields,
    }


def not_found(payload: dict[str, Any], field: str) -> bool:
    return payload["claim"] is None and [
        (error["field"], error["code"]) for error in payload["errors"]
    ] == [(field, "NOT_FOUND")]


def relay_pk(global_id: str) -> int:
    return int(relay.from_base64(global_id)[1])


def top_level_code(body: dict[str, Any]) -> str:
    assert body["data"] is None
    code: str = body["errors"][0]["extensions"]["code"]
    return code


# claimCreate


@pytest.mark.parametrize(
    ("actor", "order", "by"),
    [
        ("another customer", "order", "id"),
        ("guest", "order", "id"),
        ("order manager", "order", "id"),
        ("catalogue manager", "order", "id"),
        ("another customer", "guest order", "id"),
        ("guest", "order", "wrong token"),
        ("another customer", "order", "wrong token"),
    ],
)
def test_a_claim_on_an_order_that_is_not_yours_is_not_found(gql, world, actor, order, by):
    target = world[order]
    reference = (
        {"orderId": gid("Order", target.pk)} if by == "id" else {"orderToken": str(uuid.uuid4())}
    )
    before = claims_state()

    body = gql(CREATE, {"input": create_input(target, **reference)}, user=world[actor])

    assert not_found(body["data"]["claimCreate"], "orderId")
    assert claims_state() == before


def test_the_owner_opens_a_claim_by_order_id(gql, world):
    order = world["order"]

    body = gql(
        CREATE,
        {"input": create_input(order, orderId=gid("Order", order.pk))},
        user=world["owner"],
    )

    result = body["data"]["claimCreate"]
    assert result["errors"] == []
    claim = models.Claim.objects.get(pk=relay_pk(result["claim"]["id"]))
    assert (claim.order, claim.user, claim.reason, claim.status) == (
        order,
        world["owner"],
        "wrong_item",
        "open",
    )
    assert list(claim.events.values_list("type", "actor_id")) == [("opened", world["owner"].pk)]


def test_a_guest_opens_a_claim_with_the_order_token(gql, world):
    order = world["guest order"]

    body = gql(CREATE, {"input": create_input(order, orderToken=str(order.token))})

    result = body["data"]["claimCreate"]
    assert result["errors"] == []
    claim = models.Claim.objects.get(pk=relay_pk(result["claim"]["id"]))
    assert (claim.order, claim.user, claim.status) == (order, None, "open")
    assert list(claim.events.values_list("type", "actor_id")) == [("opened", None)]


def test_a_guest_token_does_not_reach_another_order(gql, world):
    guest_token = str(world["guest order"].token)
    before = claims_state()

    body = gql(CREATE, {"input": create_input(world["order"], orderToken=guest_token)})

    assert [(e["field"], e["code"]) for e in body["data"]["claimCreate"]["errors"]] == [
        ("lines", "INVALID_LINE")
    ]
    assert claims_state() == before


# Reading a claim


SEES_CLAIM = {
    "owner": True,
    "order manager": True,
    "claims viewer": True,
    "another customer": False,
    "guest": False,
    "catalogue manager": False,
}


@pytest.mark.parametrize(("viewer", "sees"), SEES_CLAIM.items())
def test_claim_by_id(gql, world, viewer, sees):
    claim = world["claim"]

    body = gql(CLAIM, {"id": gid("Claim", claim.pk)}, user=world[viewer])

    assert "errors" not in body
    found = body["data"]["claim"]
    assert (found and (found["number"], found["status"])) == (
        (claim.number, "OPEN") if sees else None
    )


@pytest.mark.parametrize(("viewer", "sees"), SEES_CLAIM.items())
def test_claim_as_a_node(gql, world, viewer, sees):
    claim = world["claim"]
    claim_id = gid("Claim", claim.pk)

    body = gql(NODE, {"id": claim_id}, user=world[viewer])

    assert body == {
        "data": {
            "node": {"id": claim_id, "number": claim.number, "status": "OPEN"} if sees else None
        }
    }


def test_a_guest_with_the_order_token_reads_the_claim(gql, world):
    claim = world["guest claim"]

    body = gql(CLAIM, {"id": gid("Claim", claim.pk), "orderToken": str(world["guest order"].token)})

    assert (body["data"]["claim"]["number"], body["data"]["claim"]["lines"][0]["quantity"]) == (
        claim.number,
        1,
    )


@pytest.mark.parametrize("viewer", ["guest", "another customer"])
def test_the_token_of_another_order_reads_nothing(gql, world, viewer):
    body = gql(
        CLAIM,
        {"id": gid("Claim", world["claim"].pk), "orderToken": str(world["guest order"].token)},
        user=world[viewer],
    )

    assert body == {"data": {"claim": None}}


def test_a_guest_without_the_token_cannot_read_a_guest_claim(gql, world):
    claim_id = gid("Claim", world["guest claim"].pk)

    by_id = gql(CLAIM, {"id": claim_id})
    with_wrong_token = gql(CLAIM, {"id": claim_id, "orderToken": str(uuid.uuid4())})
    as_node = gql(NODE, {"id": claim_id})

    assert by_id == {"data": {"claim": None}}
    assert with_wrong_token == {"data": {"claim": None}}
    assert as_node == {"data": {"node": None}}


def test_my_claims_lists_only_the_customers_own(gql, world):
    claim = world["claim"]

    mine = gql(MY_CLAIMS, user=world["owner"])
    theirs = gql(MY_CLAIMS, user=world["another customer"])
    staff = gql(MY_CLAIMS, user=world["order manager"])
    guest = gql(MY_CLAIMS)

    assert [edge["node"]["number"] for edge in mine["data"]["me"]["claims"]["edges"]] == [
        claim.number
    ]
    assert mine["data"]["me"]["claims"]["totalCount"] == 1
    assert theirs["data"]["me"]["claims"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }
    assert staff["data"]["me"]["claims"]["edges"] == []
    assert guest == {"data": {"me": None}}


def test_order_by_token_shows_the_orders_claims(gql, world):
    claim, order = world["guest claim"], world["guest order"]

    body = gql(ORDER_BY_TOKEN_CLAIMS, {"token": str(order.token)})

    assert body == {
        "data": {
            "orderByToken": {
                "number": order.number,
                "claims": [
                    {"id": gid("Claim", claim.pk), "number": claim.number, "status": "OPEN"}
                ],
            }
        }
    }


def test_order_by_an_unknown_token_shows_nothing(gql, world):
    body = gql(ORDER_BY_TOKEN_CLAIMS, {"token": str(uuid.uuid4())})

    assert body == {"data": {"orderByToken": None}}


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [("owner", True), ("order manager", True), ("another customer", False), ("guest", False)],
)
def test_order_claims_follow_who_may_see_the_order(gql, world, viewer, sees):
    order, claim = world["order"], world["claim"]

    body = gql(ORDER_CLAIMS, {"id": gid("Order", order.pk)}, user=world[viewer])

    expected = {
        "number": order.number,
        "claims": [{"id": gid("Claim", claim.pk), "number": claim.number, "status": "OPEN"}],
    }
    assert body == {"data": {"order": expected if sees else None}}


def test_the_claims_history_is_hidden_from_the_customer(gql, world):
    claim = world["claim"]

    owner = gql(CLAIM_EVENTS, {"id": gid("Claim", claim.pk)}, user=world["owner"])
    staff = gql(CLAIM_EVENTS, {"id": gid("Claim", claim.pk)}, user=world["order manager"])

    assert owner == {"data": {"claim": {"number": claim.number, "events": []}}}
    assert staff == {
        "data": {
            "claim": {
                "number": claim.number,
                "events": [{"type": "opened", "actorEmail": "owner@example.com"}],
            }
        }
    }


# claimMessageAdd


@pytest.mark.parametrize(
    ("actor", "token"),
    [
        ("another customer", None),
        ("guest", None),
        ("guest", "wrong"),
        ("guest", "another order"),
        ("catalogue manager", None),
        ("claims viewer", None),
    ],
)
def test_a_message_on_a_claim_that_is_not_yours_is_not_found(gql, world, actor, token):
    tokens = {
        None: None,
        "wrong": str(uuid.uuid4()),
        "another order": str(world["guest order"].token),
    }
    input = {
        "claimId": gid("Claim", world["claim"].pk),
        "body": "Hola",
        "orderToken": tokens[token],
    }
    before = claims_state()

    body = gql(MESSAGE, {"input": input}, user=world[actor])

    assert not_found(body["data"]["claimMessageAdd"], "claimId")
    assert claims_state() == before


def test_the_owner_writes_as_the_customer(gql, world):
    claim = world["claim"]

    body = gql(
        MESSAGE,
        {"input": {"claimId": gid("Claim", claim.pk), "body": "Adjunto el albarán."}},
        user=world["owner"],
    )

    assert body["data"]["claimMessageAdd"]["errors"] == []
    assert list(claim.messages.values_list("author_id", "from_staff", "body")) == [
        (world["owner"].pk, False, "Adjunto el albarán.")
    ]
    assert body["data"]["claimMessageAdd"]["claim"]["messages"][0]["fromStaff"] is False


def test_a_guest_with_the_token_writes_as_the_customer(gql, world):
    claim = world["guest claim"]
    input = {
        "claimId": gid("Claim", claim.pk),
        "orderToken": str(world["guest order"].token),
        "body": "Sigo esperando.",
    }

    body = gql(MESSAGE, {"input": input})

    assert body["data"]["claimMessageAdd"]["errors"] == []
    assert list(claim.messages.values_list("author_id", "from_staff", "body")) == [
        (None, False, "Sigo esperando.")
    ]


def test_an_order_manager_answers_as_the_shop(gql, world):
    claim = world["claim"]
    manager = world["order manager"]

    body = gql(
        ANSWER,
        {"input": {"claimId": gid("Claim", claim.pk), "body": "Lo revisamos hoy."}},
        user=manager,
    )

    result = body["data"]["claimMessageAdd"]
    assert result["errors"] == []
    assert result["claim"]["messages"] == [{"body": "Lo revisamos hoy.", "fromStaff": True}]
    assert list(claim.messages.values_list("author_id", "from_staff")) == [(manager.pk, True)]
    assert list(claim.events.values_list("type", "actor_id", "data")) == [
        ("opened", world["owner"].pk, {"reason": "damaged"}),
        ("message", manager.pk, {"from_staff": True}),
    ]


# Staff operations


def _staff_calls(world) -> dict[str, tuple[str, dict[str, Any]]]:
    claim_id = gid("Claim", world["claim"].pk)
    return {
        "claimUpdateStatus": (UPDATE_STATUS, {"input": {"id": claim_id, "status": "REJECTED"}}),
        "claimResolve": (
            RESOLVE,
            {
                "input": {
                    "id": claim_id,
                    "resolution": "REFUND",
                    "refundAmount": "10.00",
                    "message": "Le devolvemos la jarra.",
                }
            },
        ),
        "claimResolve replacement": (
            RESOLVE,
            {"input": {"id": claim_id, "resolution": "REPLACEMENT", "message": "Otra jarra."}},
        ),
        "claims": (STAFF_CLAIMS, {}),
    }


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        ("guest", "UNAUTHENTICATED"),
        ("owner", "PERMISSION_DENIED"),
        ("another customer", "PERMISSION_DENIED"),
        ("catalogue manager", "PERMISSION_DENIED"),
    ],
)
@pytest.mark.parametrize(
    "call", ["claimUpdateStatus", "claimResolve", "claimResolve replacement", "claims"]
)
def test_staff_claim_operations_are_refused_to_everybody_else(gql, world, actor, code, call):
    document, variables = _staff_calls(world)[call]
    before = claims_state()

    body = gql(document, variables, user=world[actor])

    assert top_level_code(body) == code
    assert body["errors"][0]["path"] == [call.split()[0]]
    assert claims_state() == before


@pytest.mark.parametrize("call", ["claimUpdateStatus", "claimResolve"])
def test_staff_who_may_only_view_claims_cannot_act_on_them(gql, world, call):
    document, variables = _staff_calls(world)[call]
    before = claims_state()

    body = gql(document, variables, user=world["claims viewer"])

    assert top_level_code(body) == "PERMISSION_DENIED"
    assert claims_state() == before


def test_staff_claims_lists_every_claim_for_claims_staff(gql, world):
    body = gql(STAFF_CLAIMS, user=world["order manager"])

    assert [edge["node"]["number"] for edge in body["data"]["claims"]["edges"]] == [
        world["claim"].number,
        world["guest claim"].number,
    ]


def test_an_order_manager_acts_on_a_guests_claim(gql, world):
    claim = world["guest claim"]

    body = gql(
        UPDATE_STATUS,
        {"input": {"id": gid("Claim", claim.pk), "status": "IN_REVIEW"}},
        user=world["order manager"],
    )

    assert body["data"]["claimUpdateStatus"]["errors"] == []
    claim.refresh_from_db()
    assert claim.status == "in_review"


# Photo links


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def photo_claim(client: Client, world) -> dict[str, Any]:
    """The owner's claim opened with one PNG photo, through a multipart request."""
    order, owner = world["order"], world["owner"]
    input = {
        **create_input(order, orderId=gid("Order", order.pk)),
        "lines": [{"lineId": gid("OrderLine", order.lines.get().pk), "quantity": 1}],
        "photos": [None],
    }
    response = client.post(
        "/graphql/",
        data={
            "operations": orjson.dumps({"query": CREATE, "variables": {"input": input}}).decode(),
            "map": orjson.dumps({"0": ["variables.input.photos.0"]}).decode(),
            "0": SimpleUploadedFile("jarra.png", png_bytes(), content_type="image/png"),
        },
        headers={"Authorization": f"Bearer {create_token(owner, 'access')}"},
    )
    result = orjson.loads(response.content)["data"]["claimCreate"]
    assert result["errors"] == []
    return {"id": result["claim"]["id"], "attachment": models.ClaimAttachment.objects.get()}


def photo_url(gql, claim_id: str, user: User | None) -> str:
    claim = gql(CLAIM, {"id": claim_id}, user=user)["data"]["claim"]
    url: str = claim["messages"][0]["photos"][0]["url"]
    return url


@pytest.mark.parametrize("viewer", ["owner", "order manager"])
def test_a_photo_link_serves_the_photo_to_whoever_may_see_the_claim(
    gql, client, world, photo_claim, private_root, viewer
):
    attachment = photo_claim["attachment"]
    url = photo_url(gql, photo_claim["id"], world[viewer])

    response = client.get(url)

    content = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content == (private_root / attachment.image.name).read_bytes()


def test_a_tampered_photo_link_is_not_found(gql, client, world, photo_claim):
    url = photo_url(gql, photo_claim["id"], world["owner"])
    signed = url.rstrip("/").rsplit("/", 1)[1]
    value, signature = signed.rsplit(":", 1)
    forged = f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"

    response = client.get(url.replace(signed, forged))

    assert response.status_code == 404


def test_a_photo_link_signed_for_something_else_is_not_found(client, photo_claim):
    token = str(photo_claim["attachment"].token)
    other_salt = signing.dumps(token, salt="somewhere.else", compress=False)

    response = client.get(f"/claims/photos/{other_salt}/")

    assert response.status_code == 404


def test_a_signed_link_to_an_unknown_photo_is_not_found(client, photo_claim):
    signed = signing.dumps(str(uuid.uuid4()), salt=SALT, compress=False)

    response = client.get(f"/claims/photos/{signed}/")

    assert response.status_code == 404


def test_a_photo_link_to_a_file_gone_from_storage_is_not_found(
    gql, client, world, photo_claim, caplog
):
    attachment = photo_claim["attachment"]
    url = photo_url(gql, photo_claim["id"], world["owner"])
    attachment.image.storage.delete(attachment.image.name)
    client.raise_request_exception = False

    with caplog.at_level(logging.INFO):
        response = client.get(url)

    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert response.status_code == 404
    assert errors == []
    assert models.ClaimAttachment.objects.filter(pk=attachment.pk).exists()


class SignedAt(signing.TimestampSigner):
    """A signer whose clock shows ``at`` (seconds since the epoch)."""

    def __init__(self, at: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.at))


@pytest.mark.parametrize(
    ("age", "status"), [(PHOTO_LINK_SECONDS - 60, 200), (PHOTO_LINK_SECONDS + 1, 404)]
)
def test_a_photo_link_expires_after_an_hour(client, photo_claim, age, status):
    token = str(photo_claim["attachment"].token)
    signed = SignedAt(time.time() - age, salt=SALT).sign_object(token, compress=False)

    response = client.get(f"/claims/photos/{signed}/")

    response.close()
    assert response.status_code == status


def test_photos_are_not_under_media(client, rf, settings, photo_claim, private_root):
    attachment = photo_claim["attachment"]
    path = f"{settings.MEDIA_URL}{attachment.image.name}"

    response = client.get(path)

    assert response.status_code == 404
    # What DEBUG mounts under MEDIA_URL (shop/urls.py) does not find it either.
    with pytest.raises(Http404):
        serve(rf.get(path), attachment.image.name, document_root=settings.MEDIA_ROOT)
    assert (private_root / attachment.image.name).is_file()
    assert not private_root.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
