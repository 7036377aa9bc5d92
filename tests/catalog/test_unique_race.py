"""A unique value taken between the check and the insert is a UNIQUE payload
error, not a server error."""

import pytest
from django.core.exceptions import ValidationError

from catalog.errors import CatalogErrorCode
from catalog.models import Category
from shop.validation import save_unique

pytestmark = pytest.mark.django_db(transaction=True)


def test_losing_a_slug_race_raises_unique_on_the_field():
    Category.objects.create(name="Filtros", slug="filtros")
    late = Category(name="Filtros bis", slug="filtros")  # validated before the other insert

    with pytest.raises(ValidationError) as caught:
        save_unique(late, CatalogErrorCode)

    assert [
        (e.code, field) for field, errors in caught.value.error_dict.items() for e in errors
    ] == [(CatalogErrorCode.UNIQUE, "slug")]
    assert Category.objects.filter(slug="filtros").count() == 1
