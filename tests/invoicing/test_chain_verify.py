"""invoice_chain_verify: the chain proved, and a record edited in the database found."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from lxml import etree

from invoicing.chain import huella_fields
from invoicing.models import VerifactuRecord
from invoicing.verifactu import huella as hashing
from orders.payments.memory import gateway
from tests.factories.invoicing import METHODS, card_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def verify() -> str:
    out = StringIO()
    call_command("invoice_chain_verify", stdout=out)
    return out.getvalue()


def edit_behind_the_orm(record: VerifactuRecord, **values: object) -> None:
    """What someone with database access does: the ORM refuses to (append-only)."""
    assignments = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            # Column names from this test's own keywords; the values are parameters.
            f"UPDATE invoicing_verifacturecord SET {assignments} WHERE id = %s",  # noqa: S608
            [*values.values(), record.pk],
        )


def three_records() -> list[VerifactuRecord]:
    for _ in range(3):
        card_order()
    return list(VerifactuRecord.objects.select_related("invoice").order_by("position"))


def test_a_valid_chain_is_reported_with_its_length():
    three_records()

    assert verify() == "3 records, chain valid\n"


def test_an_empty_chain_is_valid():
    assert verify() == "0 records, chain valid\n"


def test_an_edited_huella_is_found_and_its_record_named():
    records = three_records()
    edit_behind_the_orm(records[1], huella="0" * 64)

    with pytest.raises(CommandError) as caught:
        verify()

    number = records[1].invoice.full_number
    assert str(caught.value) == (
        f"Record 2 (invoice {number}) breaks the chain: huella {'0' * 64} differs from its"
        f" XML's {records[1].huella}. 1 records before it are valid."
    )


def test_an_amount_edited_in_the_xml_is_found_by_its_huella():
    records = three_records()
    total = str(records[2].invoice.total_gross)
    edited = records[2].xml.replace(f"<sum1:ImporteTotal>{total}<", "<sum1:ImporteTotal>1.00<")
    assert edited != records[2].xml
    edit_behind_the_orm(records[2], xml=edited)

    with pytest.raises(CommandError) as caught:
        verify()

    message = str(caught.value)
    number = records[2].invoice.full_number
    assert message.startswith(
        f"Record 3 (invoice {number}) breaks the chain: huella {records[2].huella} is not that"
        " of its fields ("
    )
    assert message.endswith("). 2 records before it are valid.")


def test_an_xml_and_huella_rewritten_together_are_found_by_the_next_link():
    records = three_records()
    # A forger who recomputes the record's own huella: the XML no longer says what
    # the invoice says (and the next record's link no longer holds).
    total = str(records[0].invoice.total_gross)
    edited = records[0].xml.replace(f"<sum1:ImporteTotal>{total}<", "<sum1:ImporteTotal>1.00<")
    root = etree.fromstring(edited.encode())
    forged = hashing.huella(huella_fields(root))
    edited = edited.replace(records[0].huella, forged)
    edit_behind_the_orm(records[0], xml=edited, huella=forged)

    with pytest.raises(CommandError) as caught:
        verify()

    assert "Record 1 " in str(caught.value)
    assert "its XML says ImporteTotal 1.00, the invoice " + total in str(caught.value)


def test_a_deleted_record_is_found_as_a_gap():
    records = three_records()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM invoicing_verifacturecord WHERE id = %s", [records[1].pk])
        cursor.execute(
            "UPDATE invoicing_verifacturecord SET previous_id = %s WHERE id = %s",
            [records[0].pk, records[2].pk],
        )

    with pytest.raises(CommandError) as caught:
        verify()

    assert str(caught.value).startswith(
        f"Record 3 (invoice {records[2].invoice.full_number}) breaks the chain: position 3"
        " where 2 was due (a record is missing)."
    )
