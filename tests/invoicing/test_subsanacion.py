"""Records the AEAT accepted with errors are corrected by an alta de subsanación:
a new alta of the same invoice flagged ``Subsanacion=S`` (no ``RechazoPrevio``:
the AEAT holds the record it corrects), chained like any other and sent by the
channel (here the simulator, over HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from invoicing import chain
from invoicing.errors import InvoicingErrorCode
from invoicing.models import RecordAnswer, SubmissionState, VerifactuRecord
from invoicing.services import verifactu_record_correct
from invoicing.services_submission import verifactu_submit_pending
from invoicing.submission.simulator import AeatSimulator
from invoicing.verifactu.xml import SF_NS
from orders.payments.memory import gateway
from shop.accounts.roles import BILLING_OPERATOR, ORDER_MANAGER
from shop.outbox.models import Message
from tests.factories.invoicing import METHODS
from tests.factories.orders import staff_in_role
from tests.invoicing.submission_helpers import add_records, aeat_simulator  # noqa: F401

pytestmark = pytest.mark.django_db

RECORDS = "/admin/invoicing/verifacturecord/"
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


def accepted_with_errors(aeat: AeatSimulator) -> tuple[VerifactuRecord, VerifactuRecord]:
    """Two records sent; the AEAT accepted the first with error 1104."""
    first, second = add_records(2)
    aeat.accept_with_errors(first.invoice.full_number)
    assert verifactu_submit_pending().result == "sent"
    assert sorted(RecordAnswer.objects.values_list("record__position", "status", "error_code")) == [
        (1, "accepted_with_errors", 1104),
        (2, "correct", None),
    ]
    return first, second


def _wait_is_over() -> None:
    SubmissionState.objects.filter(pk=1).update(
        next_allowed_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_record_accepted_with_errors_gets_a_chained_subsanacion_the_aeat_registers(aeat):
    first, second = accepted_with_errors(aeat)
    Message.objects.all().delete()

    correction = verifactu_record_correct(actor=None, record=first)

    assert (correction.position, correction.invoice_id, correction.kind) == (
        3,
        first.invoice_id,
        "alta",
    )
    assert correction.corrects == first
    assert correction.previous == second
    root = etree.fromstring(correction.xml.encode())
    assert root.findtext(_sf("Subsanacion")) == "S"
    assert root.find(_sf("RechazoPrevio")) is None
    assert root.findtext(f"{_sf('Encadenamiento')}/{_sf('RegistroAnterior')}/{_sf('Huella')}") == (
        second.huella
    )
    # Same invoice, same amounts: only the record's generation differs.
    original = etree.fromstring(first.xml.encode())
    for name in ("IDFactura", "TipoFactura", "CuotaTotal", "ImporteTotal"):
        assert etree.tostring(root.find(_sf(name))) == etree.tostring(original.find(_sf(name)))
    assert list(chain.chain_verify())[-1] == 3
    assert list(Message.objects.values_list("task", flat=True)) == [
        "invoicing.tasks.verifactu_submit_pending"
    ]

    _wait_is_over()
    outcome = verifactu_submit_pending()

    assert outcome.result == "sent"
    assert list(outcome.submission.answers.values_list("record__position", "status")) == [
        (3, "correct")
    ]
    held = {number: h for (_nif, number, _date), h in aeat.held().items()}
    assert (held[first.invoice.full_number].status, held[first.invoice.full_number].error_code) == (
        "correct",
        None,
    )
    assert aeat.received[-1].lines[0].status == "correct"


def test_a_record_is_corrected_once(aeat):
    first, _second = accepted_with_errors(aeat)
    verifactu_record_correct(actor=None, record=first)

    with pytest.raises(ValidationError) as error:
        verifactu_record_correct(actor=None, record=first)

    assert error.value.code == InvoicingErrorCode.ALREADY_CORRECTED
    assert VerifactuRecord.objects.count() == 3


@pytest.mark.parametrize("which", ["correct", "unanswered"])
def test_a_record_not_accepted_with_errors_is_not_corrected(aeat, which):
    _first, second = accepted_with_errors(aeat)
    record = second if which == "correct" else add_records(1)[0]
    count = VerifactuRecord.objects.count()

    with pytest.raises(ValidationError) as error:
        verifactu_record_correct(actor=None, record=record)

    assert error.value.code == InvoicingErrorCode.NOT_ACCEPTED_WITH_ERRORS
    assert VerifactuRecord.objects.count() == count


def test_a_rejected_subsanacion_goes_again_flagged_rechazo_previo(aeat, settings):
    settings.VERIFACTU_RETRY_REJECTED_AFTER = 0
    first, _second = accepted_with_errors(aeat)
    correction = verifactu_record_correct(actor=None, record=first)
    aeat.reject(first.invoice.full_number)
    _wait_is_over()
    verifactu_submit_pending()
    assert correction.answers.get().status == "incorrect"

    _wait_is_over()
    outcome = verifactu_submit_pending()

    sent = etree.fromstring(outcome.submission.request.encode())
    (alta,) = sent.iter(_sf("RegistroAlta"))
    assert (alta.findtext(_sf("Subsanacion")), alta.findtext(_sf("RechazoPrevio"))) == ("S", "S")
    assert correction.answers.order_by("-pk").first().status == "correct"


def test_the_operator_corrects_the_selected_records_from_the_list(client, aeat):
    first, second = accepted_with_errors(aeat)
    operator = staff_in_role(BILLING_OPERATOR)
    client.force_login(operator)
    listing = client.get(RECORDS, headers=EN)
    assert "Accepted with errors: to correct" in listing.content.decode()

    response = client.post(
        RECORDS,
        {"action": "correct_records", "_selected_action": [first.pk, second.pk]},
        headers=EN,
        follow=True,
    )

    correction = VerifactuRecord.objects.get(position=3)
    assert correction.corrects == first
    assert correction.created_by == operator
    page = response.content.decode()
    assert "Record 1 corrected by record 3." in page
    assert "Record 2: Only a registration the AEAT accepted with errors can be corrected." in page
    assert "Accepted with errors, corrected" in page
    assert LogEntry.objects.get().change_message == "Record 1 corrected by record 3."


def test_the_correct_action_is_not_offered_without_the_submit_permission(client, aeat):
    first, _second = accepted_with_errors(aeat)
    client.force_login(staff_in_role(ORDER_MANAGER))

    response = client.post(
        RECORDS, {"action": "correct_records", "_selected_action": [first.pk]}, headers=EN
    )

    assert response.status_code == 403
    assert VerifactuRecord.objects.count() == 2
    assert not LogEntry.objects.exists()
