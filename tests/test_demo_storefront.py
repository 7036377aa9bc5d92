"""The demo data answers the storefront's home, FAQ and legal documents, in
Spanish by default and in English on request."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from shop.content.models import FaqEntry, HomePageSection, LegalPage
from tests.operations import operation

pytestmark = pytest.mark.django_db

CLOSING_NOTE_QUERY = (
    "{ shop { name languages homePage { sections { __typename } } faq { question } } }"
)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_is_idempotent(demo):
    counts = (HomePageSection.objects.count(), FaqEntry.objects.count(), LegalPage.objects.count())
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    again = (HomePageSection.objects.count(), FaqEntry.objects.count(), LegalPage.objects.count())
    assert counts == again == (4, 5, 3)


def test_shop_in_spanish_by_default(demo, gql):
    body = gql(CLOSING_NOTE_QUERY)
    assert body == {
        "data": {
            "shop": {
                "name": "Tienda del Agua",
                "languages": ["ES", "EN"],
                "homePage": {
                    "sections": [
                        {"__typename": "HeroSection"},
                        {"__typename": "FeaturedCollectionSection"},
                        {"__typename": "FeaturedProductsSection"},
                        {"__typename": "RichTextSection"},
                    ]
                },
                "faq": [
                    {"question": "¿Cuánto tarda en llegar mi pedido?"},
                    {"question": "¿Puedo recoger mi pedido en una oficina?"},
                    {"question": "¿Cómo pago en mi factura del agua?"},
                    {"question": "¿Qué tarjetas aceptáis?"},
                    {"question": "¿Cómo presento una reclamación?"},
                ],
            }
        }
    }


def test_shop_in_english_with_accept_language(demo, gql):
    body = gql(CLOSING_NOTE_QUERY, headers={"Accept-Language": "en-GB,en;q=0.9"})
    shop = body["data"]["shop"]
    assert shop["name"] == "Water Shop"
    assert [entry["question"] for entry in shop["faq"]] == [
        "How long does delivery take?",
        "Can I collect my order at an office?",
        "How do I pay on my water bill?",
        "Which cards do you accept?",
        "How do I make a claim?",
    ]


def test_unsupported_language_falls_back_to_spanish(demo, gql):
    body = gql("{ shop { name languageCode } }", headers={"Accept-Language": "de"})
    assert body == {"data": {"shop": {"name": "Tienda del Agua", "languageCode": "ES"}}}


def test_home_page_document(demo, gql):
    body = gql(operation("storefront/ShopHome"), headers={"Accept-Language": "en"})
    sections = body["data"]["shop"]["homePage"]["sections"]
    hero = sections[0]
    assert hero["title"] == "Every drop counts"
    assert hero["image"]["alt"] == "Water drops on a blue background"
    assert hero["image"]["url"].startswith("/media/home/hero")
    assert hero["linkUrl"] == "/storefront/"
    assert sections[1]["collectionSlug"] == "ahorro-de-agua"
    assert sections[2]["productSlugs"] == [
        "kit-ahorro-basico",
        "jarra-filtrante-2-5-l",
        "botella-reutilizable-750-ml",
    ]
    assert sections[3]["text"].startswith("<p>Virtual office customers")


def test_legal_document(demo, gql):
    body = gql(operation("storefront/LegalPages"))
    assert [(p["kind"], p["title"]) for p in body["data"]["shop"]["legal"]] == [
        ("LEGAL_NOTICE", "Aviso legal"),
        ("PRIVACY_POLICY", "Política de privacidad"),
        ("TERMS_OF_SALE", "Condiciones de venta"),
    ]


def test_seed_demo_refuses_the_published_password_without_debug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Refusing to create accounts"):
        call_command("seed_demo")
