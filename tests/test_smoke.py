import pytest

pytestmark = pytest.mark.django_db


def test_shop_answers(gql):
    body = gql("{ shop { name languages currency homePage { sections { __typename } } faq { question } } }")
    assert body == {
        "data": {
            "shop": {
                "name": "Tienda del Agua",
                "languages": ["ES", "EN"],
                "currency": "EUR",
                "homePage": {"sections": []},
                "faq": [],
            }
        }
    }
