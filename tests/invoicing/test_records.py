"""The record inputs refuse, with the field named, what the AEAT's schema or its
validation rules would reject: the invoicing services build them from frozen orders,
so a refusal here is a bug upstream, never a customer's mistake."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from invoicing.verifactu.records import (
    ChainLink,
    InvoiceType,
    Party,
    Rectification,
    RectificationType,
    SistemaInformatico,
    TaxLine,
)
from tests.invoicing.test_huella import AEAT_EXAMPLE_1, FIRST, SECOND, example_alta


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"issuer_nif": "8989001K"}, "issuer_nif"),
        ({"issuer_nif": "89890001k"}, "issuer_nif"),
        ({"number": ""}, "number"),
        ({"number": "F" * 61}, "number"),
        ({"number": "FAC-ñ-1"}, "number"),
        ({"number": " F-1"}, "number"),
        ({"number": "F\t1"}, "number"),
    ],
)
def test_an_invoice_reference_the_aeat_would_refuse_is_refused(changes, field):
    with pytest.raises(ValueError, match=field):
        replace(FIRST, **changes)


def test_the_longest_series_and_number_is_sixty_printable_characters():
    assert replace(FIRST, number="A/" + "9" * 58).number == "A/" + "9" * 58


def test_a_previous_huella_must_be_sixty_four_upper_case_hex_digits():
    with pytest.raises(ValueError, match="huella"):
        ChainLink(invoice=FIRST, huella=AEAT_EXAMPLE_1.lower())
    with pytest.raises(ValueError, match="huella"):
        ChainLink(invoice=FIRST, huella=AEAT_EXAMPLE_1[:63])


def test_totals_must_be_the_sums_of_the_tax_lines():
    with pytest.raises(ValueError, match="total_quota"):
        example_alta(total_quota=Decimal("12.34"))
    with pytest.raises(ValueError, match="total_amount"):
        example_alta(total_amount=Decimal("123.46"))


def test_amounts_with_more_than_two_decimals_are_refused():
    with pytest.raises(ValueError, match="base"):
        TaxLine(rate=Decimal("21"), base=Decimal("10.001"), quota=Decimal("2.10"))


def test_a_record_has_one_to_twelve_tax_lines():
    line = TaxLine(rate=Decimal("21"), base=Decimal("1.00"), quota=Decimal("0.21"))
    with pytest.raises(ValueError, match="tax_lines"):
        example_alta(tax_lines=(), total_quota=Decimal("0"), total_amount=Decimal("0"))
    with pytest.raises(ValueError, match="tax_lines"):
        example_alta(
            tax_lines=(line,) * 13, total_quota=Decimal("2.73"), total_amount=Decimal("15.73")
        )


def test_a_simplified_invoice_names_no_recipient_and_a_full_one_names_one():
    customer = Party(name="Cliente", nif="12345678Z")
    with pytest.raises(ValueError, match="recipients"):
        example_alta(invoice_type=InvoiceType.F2, recipients=(customer,))
    with pytest.raises(ValueError, match="recipients"):
        example_alta(invoice_type=InvoiceType.F1, recipients=())


def test_a_rectifying_invoice_says_how_and_which_invoices_it_rectifies():
    differences = Rectification(type=RectificationType.DIFFERENCES, invoices=(FIRST,))
    with pytest.raises(ValueError, match="rectification"):
        example_alta(invoice_type=InvoiceType.R1)
    with pytest.raises(ValueError, match="rectification"):
        example_alta(invoice_type=InvoiceType.F1, rectification=differences)
    with pytest.raises(ValueError, match="invoices"):
        Rectification(type=RectificationType.DIFFERENCES, invoices=())


def test_only_a_rectification_by_substitution_carries_the_rectified_amounts():
    with pytest.raises(ValueError, match="base"):
        Rectification(type=RectificationType.SUBSTITUTION, invoices=(FIRST,))
    with pytest.raises(ValueError, match="base"):
        Rectification(
            type=RectificationType.DIFFERENCES,
            invoices=(FIRST,),
            base=Decimal("10.00"),
            quota=Decimal("2.10"),
        )


def test_only_an_f3_lists_the_simplified_invoices_it_replaces():
    with pytest.raises(ValueError, match="substituted"):
        example_alta(invoice_type=InvoiceType.F3)
    with pytest.raises(ValueError, match="substituted"):
        example_alta(substituted=(SECOND,))


def test_a_description_and_names_fit_the_schema():
    with pytest.raises(ValueError, match="description"):
        example_alta(description="")
    with pytest.raises(ValueError, match="description"):
        example_alta(description="x" * 501)
    with pytest.raises(ValueError, match="issuer_name"):
        example_alta(issuer_name="x" * 121)
    with pytest.raises(ValueError, match="name"):
        Party(name="", nif="12345678Z")


def test_the_sif_identification_fits_the_schema():
    sif = SistemaInformatico(
        vendor=Party(name="Aguas Demo, S.A.", nif="A99999997"),
        name="Tienda del Agua",
        system_id="TA",
        version="1.0",
        installation_number="1",
        only_verifactu=True,
        multi_taxpayer=False,
        multiple_taxpayers=False,
    )
    with pytest.raises(ValueError, match="name"):
        replace(sif, name="x" * 31)
    with pytest.raises(ValueError, match="system_id"):
        replace(sif, system_id="TAX")
    with pytest.raises(ValueError, match="version"):
        replace(sif, version="")
    with pytest.raises(ValueError, match="installation_number"):
        replace(sif, installation_number="x" * 101)


def test_an_issue_date_is_a_date():
    with pytest.raises(TypeError, match="issue_date"):
        replace(FIRST, issue_date="2024-01-01")
    assert replace(FIRST, issue_date=date(2027, 1, 1)).issue_date == date(2027, 1, 1)
