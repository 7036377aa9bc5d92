"""Cross-origin rules for the portal: CORS on the API for its origins only, the
storefront and the demo portal framed by the shop and the portal only; the demo
portal page and the ``portal_token`` command."""

import os
import re
import subprocess
import sys
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.urls import include, path

from billing_bridge.models import ContractLink
from shop.accounts.models import User
from tests.accounts.portal_tokens import SECRET, contract, sign_in

pytestmark = pytest.mark.django_db

PORTAL = "https://oficina.aguas.example"
ROOT = Path(__file__).resolve().parents[2]


def _page(request):
    return HttpResponse("a page")


def _page_with_policy(request):
    response = HttpResponse("the storefront")
    response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


# This module is also the URLconf of the framing tests: dummy pages at the paths
# the middleware cares about, plus the real demo portal.
urlpatterns = [
    path("storefront/", _page),
    path("storefront/policy/", _page_with_policy),
    path("elsewhere/", _page),
    path("", include("shop.urls")),
]


@pytest.fixture
def portal_origin(settings):
    settings.PORTAL_ORIGINS = [PORTAL]
    settings.CORS_ALLOWED_ORIGINS = [PORTAL]


def _preflight(client, url, origin):
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_cors_preflight_from_the_portal_is_allowed_on_the_api_without_credentials(
    client, portal_origin
):
    # when
    response = _preflight(client, "/graphql/", PORTAL)

    # then
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == PORTAL
    assert response["Access-Control-Allow-Methods"] == "OPTIONS, POST"
    assert response["Access-Control-Allow-Headers"] == (
        "accept, accept-language, authorization, content-type"
    )
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_preflight_from_another_origin_gets_no_cors_headers(client, portal_origin):
    # when
    response = _preflight(client, "/graphql/", "https://evil.example")

    # then
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Methods" not in response


def test_cors_is_for_the_api_only(client, portal_origin):
    # when
    responses = [_preflight(client, url, PORTAL) for url in ("/admin/login/", "/portal-demo/")]

    # then
    assert ["Access-Control-Allow-Origin" in r for r in responses] == [False, False]


def test_cors_follows_the_portal_origins_setting():
    # given
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PORTAL_ORIGINS": f"{PORTAL}, http://localhost:8080",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CORS_ALLOWED_ORIGINS, settings.CORS_ALLOW_CREDENTIALS)"
    )

    # when
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    # then
    assert result.stdout.strip() == f"['{PORTAL}', 'http://localhost:8080'] False", result.stderr


@pytest.mark.urls(__name__)
def test_the_storefront_may_be_framed_by_the_shop_and_the_portal_only(client, portal_origin):
    # when
    response = client.get("/storefront/")

    # then
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == f"frame-ancestors 'self' {PORTAL}"
    assert "X-Frame-Options" not in response


@pytest.mark.urls(__name__)
def test_the_storefronts_own_policy_is_kept_with_the_portals_frame_ancestors(client, portal_origin):
    # when
    response = client.get("/storefront/policy/")

    # then
    assert response["Content-Security-Policy"] == (
        f"default-src 'self'; frame-ancestors 'self' {PORTAL}"
    )
    assert "X-Frame-Options" not in response


@pytest.mark.urls(__name__)
def test_without_portal_origins_the_storefront_is_framed_by_the_shop_only(client, settings):
    # given
    settings.PORTAL_ORIGINS = []

    # when
    response = client.get("/storefront/")

    # then
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.urls(__name__)
def test_every_other_page_refuses_to_be_framed(client, portal_origin):
    # when
    responses = [client.get(url) for url in ("/elsewhere/", "/admin/login/")]

    # then
    assert [r.status_code for r in responses] == [200, 200]
    assert [r["X-Frame-Options"] for r in responses] == ["DENY", "DENY"]
    assert ["Content-Security-Policy" in r for r in responses] == [False, False]


def test_the_demo_portal_is_not_found_without_debug(client):
    # when
    response = client.get("/portal-demo/", {"customer": "OV-0001"})

    # then
    assert response.status_code == 404


def _iframe_token(response):
    match = re.search(r'<iframe class="portal-shop" src="([^"]+)"', response.content.decode())
    assert match, response.content.decode()
    url = unescape(match.group(1))
    prefix = "/storefront/#portalToken="
    assert url.startswith(prefix)
    return url.removeprefix(prefix)


def test_the_demo_portal_frames_the_storefront_with_a_token_that_signs_in(
    client, gql, settings, portal_origin
):
    # given (all through the settings fixture: mixing it with override_settings
    # restores out of order and leaks DEBUG into later tests)
    settings.DEBUG = True
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = "oficina-virtual-demo"
    contract("41000123")

    # when
    picker = client.get("/portal-demo/")
    page = client.get("/portal-demo/", {"customer": "OV-0001"})
    reloaded = client.get("/portal-demo/", {"customer": "OV-0001"})

    # then
    assert picker.status_code == page.status_code == 200
    assert "<h1>Oficina Virtual</h1>" in page.content.decode()
    assert "<iframe" not in picker.content.decode()
    assert page["Content-Security-Policy"] == f"frame-ancestors 'self' {PORTAL}"
    assert "X-Frame-Options" not in page
    assert "no-store" in page["Cache-Control"]
    payload = sign_in(gql, _iframe_token(page))
    assert payload["errors"] == []
    assert payload["user"]["email"] == "lucia.romero@correo.example"
    user = User.objects.get(portal_subject="OV-0001")
    assert list(ContractLink.objects.values_list("user", "contract__number")) == [
        (user.pk, "41000123")
    ]
    assert sign_in(gql, _iframe_token(reloaded))["errors"] == []  # a fresh token each time


def test_the_demo_portal_says_when_it_cannot_sign(client, settings):
    # given
    settings.DEBUG = True
    settings.PORTAL_JWT_SECRET = ""

    # when
    page = client.get("/portal-demo/", {"customer": "OV-0001"}, headers={"Accept-Language": "en"})

    # then
    assert page.status_code == 200
    assert "<iframe" not in page.content.decode()
    assert "Portal tokens can only be made here with a PORTAL_JWT_SECRET (HS256)." in (
        page.content.decode()
    )


def test_the_portal_token_command_prints_a_token_that_signs_in(gql, settings):
    # given
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = "https://oficina.aguas.example"
    contract("41000123")
    out = StringIO()

    # when
    call_command(
        "portal_token",
        "--customer",
        "Marta.Gil@Correo.example",
        "--contract",
        "41000123",
        "--contract",
        "41000999",
        stdout=out,
    )
    payload = sign_in(gql, out.getvalue().strip())
    again = StringIO()
    call_command("portal_token", "--customer", "marta.gil@correo.example", stdout=again)

    # then
    assert payload["errors"] == []
    assert payload["user"]["email"] == "marta.gil@correo.example"
    user = User.objects.get()
    assert user.portal_subject == "demo:marta.gil@correo.example"
    assert list(ContractLink.objects.values_list("user", "contract__number")) == [
        (user.pk, "41000123")
    ]
    assert sign_in(gql, again.getvalue().strip())["errors"] == []  # a fresh token each run


def test_the_portal_token_command_refuses_without_a_secret(settings, english):
    # given
    settings.PORTAL_JWT_SECRET = ""

    # when
    with pytest.raises(CommandError) as refused:
        call_command("portal_token", "--customer", "marta@correo.example", stdout=StringIO())

    # then
    assert str(refused.value) == (
        "Portal tokens can only be made here with a PORTAL_JWT_SECRET (HS256)."
    )


def test_the_portal_token_command_warns_of_a_lifetime_the_shop_refuses(gql, settings):
    # given
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = "https://oficina.aguas.example"
    out, err = StringIO(), StringIO()

    # when
    call_command(
        "portal_token",
        "--customer",
        "marta@correo.example",
        "--lifetime",
        "600",
        stdout=out,
        stderr=err,
    )

    # then
    assert err.getvalue().strip() == (
        "Warning: the shop refuses tokens living over 300 seconds (PORTAL_JWT_MAX_LIFETIME)."
    )
    assert sign_in(gql, out.getvalue().strip())["errors"][0]["code"] == "PORTAL_TOKEN_INVALID"
    assert User.objects.count() == 0
