"""Spanish tax ids (NIF of a person, NIE of a foreigner, CIF of an entity) are
cleaned to the nine characters the AEAT takes, and refused when their check
character does not match."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from invoicing.errors import InvoicingErrorCode
from invoicing.tax_ids import tax_id_clean


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("12345678Z", "12345678Z"),  # DNI
        ("89890001K", "89890001K"),  # the AEAT's examples' issuer
        (" 12.345.678-z ", "12345678Z"),
        ("X1234567L", "X1234567L"),  # NIE
        ("y-2345678-z", "Y2345678Z"),
        ("B58378431", "B58378431"),  # CIF, digit control
        ("ES B-58378431", "B58378431"),  # as a VAT number
        ("Q2826000H", "Q2826000H"),  # CIF, letter control
        ("K1234567L", "K1234567L"),  # NIF of a Spaniard under 14 without DNI
    ],
)
def test_a_valid_tax_id_is_cleaned(value, clean):
    assert tax_id_clean(value) == clean


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345678A", "The check character of 12345678A is wrong: check the tax id."),
        ("X1234567X", "The check character of X1234567X is wrong: check the tax id."),
        ("B58378432", "The check character of B58378432 is wrong: check the tax id."),
        ("1234", "1234 is not a Spanish tax id (NIF, NIE or CIF)."),
        ("I12345678", "I12345678 is not a Spanish tax id (NIF, NIE or CIF)."),
        ("ABCDEFGHI", "ABCDEFGHI is not a Spanish tax id (NIF, NIE or CIF)."),
        ("", "Enter a Spanish tax id (NIF, NIE or CIF)."),
        ("  ", "Enter a Spanish tax id (NIF, NIE or CIF)."),
    ],
)
def test_an_invalid_tax_id_is_refused_with_its_reason(english, value, message):
    # The message is read after the call: the whole test speaks English.
    with pytest.raises(ValidationError) as refused:
        tax_id_clean(value)

    assert refused.value.code == InvoicingErrorCode.INVALID_TAX_ID
    assert refused.value.messages == [message]
