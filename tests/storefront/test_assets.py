"""The storefront without a browser: the documents its JavaScript uses exist and
validate against the schema, every UI word exists in both languages, and the
files are served (and only those)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from graphql import parse, validate

from shop.schema import schema
from tests.operations import OPERATIONS_DIR

APP = Path(__file__).resolve().parents[2] / "shop" / "storefront" / "app"
STOREFRONT_DOCUMENTS = OPERATIONS_DIR / "storefront"
# Operations are named by a literal as the first argument of api.op(...) (or of
# the api module's own post(...)), so they can be found here.
OPERATION_CALL = re.compile(r"\b(?:op|post)\(\s*\"([A-Z][A-Za-z0-9]*)\"")
TRANSLATION_CALL = re.compile(r"\bt\(\s*\"([a-zA-Z0-9.]+)\"")


def scripts() -> list[Path]:
    return sorted(APP.rglob("*.js"))


def referenced_operations() -> list[str]:
    names = {name for path in scripts() for name in OPERATION_CALL.findall(path.read_text())}
    return sorted(names)


def test_the_storefront_uses_operation_documents() -> None:
    assert len(referenced_operations()) >= 30


@pytest.mark.parametrize("name", referenced_operations())
def test_each_document_the_storefront_uses_exists_and_validates(name: str) -> None:
    path = STOREFRONT_DOCUMENTS / f"{name}.graphql"
    assert path.exists(), f"{path} is missing"
    document = parse(path.read_text(encoding="utf-8"))
    assert validate(schema._schema, document) == []


def dictionaries() -> dict[str, set[str]]:
    source = (APP / "js" / "i18n.js").read_text()
    es, en = source.split("\nconst en = {", 1)
    key = re.compile(r"^\s+(?:\"([^\"]+)\"|([a-zA-Z]+)):", re.MULTILINE)
    return {
        "es": {a or b for a, b in key.findall(es.split("\nconst es = {", 1)[1])},
        "en": {a or b for a, b in key.findall(en.split("\n};", 1)[0])},
    }


def test_every_ui_word_exists_in_spanish_and_english() -> None:
    used = {key for path in scripts() for key in TRANSLATION_CALL.findall(path.read_text())}
    words = dictionaries()
    assert words["es"] == words["en"]
    assert sorted(used - words["es"]) == []


def test_no_script_is_loaded_from_another_host_but_stripe_js_on_demand() -> None:
    urls = {
        url
        for path in [*scripts(), *APP.rglob("*.html"), *APP.rglob("*.css")]
        for url in re.findall(r"https?://[^\s\"'`)]+", path.read_text())
    }
    assert urls == {
        "https://js.stripe.com/v3/",
        "https://shop.example/storefront/embed.js",
        "https://shop.example/graphql/",
    }


@pytest.mark.django_db
def test_the_app_shell_is_served_with_a_policy_that_allows_only_the_shop(client: Client) -> None:
    response = client.get("/storefront/")
    assert response.status_code == 200
    assert b'<script type="module" src="./js/main.js">' in response.content
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "stripe" not in policy


@pytest.mark.django_db
def test_stripe_js_is_allowed_only_with_a_publishable_key(client: Client, settings: Any) -> None:
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    policy = client.get("/storefront/")["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com;" in policy


@pytest.mark.django_db
def test_modules_and_documents_are_served_read_only(client: Client) -> None:
    module = client.get("/storefront/js/app.js")
    module.close()
    assert (module.status_code, module["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    document = client.get("/storefront/operations/ShopHome.graphql")
    assert document.status_code == 200
    assert b"query ShopHome" in document.getvalue()
    document.close()
    assert client.post("/storefront/js/app.js").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/storefront/views.py",
        "/storefront/__init__.py",
        "/storefront/index.html",
        "/storefront/js/missing.js",
        "/storefront/operations/Missing.graphql",
        "/storefront/operations/..%2Fschema.graphql",
        "/storefront/operations/..%2Fstaff%2FClaimResolve.graphql",
        "/storefront/js/..%2F..%2Fviews.py",
    ],
)
def test_nothing_else_is_served(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_the_portal_may_load_the_modules_cross_origin(client: Client, settings: Any) -> None:
    settings.PORTAL_ORIGINS = ["https://oficina.example"]
    allowed = client.get("/storefront/embed.js", headers={"Origin": "https://oficina.example"})
    allowed.close()
    assert allowed["Access-Control-Allow-Origin"] == "https://oficina.example"
    other = client.get("/storefront/embed.js", headers={"Origin": "https://evil.example"})
    other.close()
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db
def test_the_shell_links_its_favicon_and_the_shop_serves_it(client: Client) -> None:
    shell = client.get("/storefront/").content.decode()

    icon = client.get("/storefront/favicon.svg")
    fallback = client.get("/favicon.ico")

    assert '<link rel="icon" href="./favicon.svg" type="image/svg+xml">' in shell
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    content = b"".join(icon.streaming_content)
    icon.close()
    assert content == (APP / "favicon.svg").read_bytes()
    assert content.lstrip().startswith(b"<svg")
    # Browsers ask for /favicon.ico on every other page (the admin, the portal demo).
    assert fallback.status_code == 301
    assert fallback["Location"] == "/storefront/favicon.svg"
