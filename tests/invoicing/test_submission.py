"""Submission of the VERI*FACTU records to the AEAT (here its simulator, over HTTP):
what is sent, what is stored per record, and that no record is lost or doubled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from invoicing.models import RecordAnswer, Submission, SubmissionState, VerifactuRecord
from invoicing.selectors_submission import records_pending
from invoicing.services_submission import verifactu_submit_pending
from invoicing.submission.answers import R_NS
from invoicing.submission.simulator import AeatSimulator, answer_schema
from invoicing.verifactu.xml import SF_NS
from tests.invoicing.submission_helpers import (  # noqa: F401
    add_forged_record,
    add_records,
    aeat_simulator,
    number,
)
from tests.parallel import run_together

pytestmark = pytest.mark.django_db


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


def _answers(submission: Submission) -> list[tuple[int, str, int | None, bool]]:
    return [
        (answer.record.position, answer.status, answer.error_code, answer.duplicate)
        for answer in submission.answers.select_related("record").order_by("record__position")
    ]


def _pending() -> list[int]:
    return list(records_pending().values_list("position", flat=True))


def _wait_is_over() -> None:
    SubmissionState.objects.filter(pk=1).update(
        next_allowed_at=timezone.now() - timedelta(seconds=1)
    )


def _held_numbers(simulator: AeatSimulator) -> list[str]:
    return sorted(number for _, number, _ in simulator.held())


def test_a_batch_is_accepted_and_nothing_stays_pending(aeat: AeatSimulator) -> None:
    records = add_records(3)

    outcome = verifactu_submit_pending()

    submission = outcome.submission
    assert outcome.result == "sent"
    assert submission is not None
    assert (submission.adapter, submission.status) == ("simulator", "correct")
    assert submission.csv.startswith("A-")
    assert len(submission.csv) == 16
    assert submission.wait_seconds == 60
    assert _answers(submission) == [
        (1, "correct", None, False),
        (2, "correct", None, False),
        (3, "correct", None, False),
    ]
    assert list(submission.records.order_by("position")) == records
    assert _pending() == []
    assert _held_numbers(aeat) == [number(1), number(2), number(3)]
    assert SubmissionState.objects.get(pk=1).next_allowed_at == submission.sent_at + timedelta(
        seconds=60
    )
    assert b"RespuestaRegFactuSistemaFacturacion" in submission.answer.encode()


def test_a_rejected_record_stays_pending_the_others_are_registered(aeat: AeatSimulator) -> None:
    add_records(3)
    aeat.reject(
        number(2), code=1105, text="El valor del campo FechaExpedicionFactura es incorrecto."
    )

    submission = verifactu_submit_pending().submission

    assert submission is not None
    assert submission.status == "partially_correct"
    assert _answers(submission) == [
        (1, "correct", None, False),
        (2, "incorrect", 1105, False),
        (3, "correct", None, False),
    ]
    assert submission.answers.get(record__position=2).error_text == (
        "El valor del campo FechaExpedicionFactura es incorrecto."
    )
    assert _pending() == [2]
    assert _held_numbers(aeat) == [number(1), number(3)]


def test_a_rejected_record_is_not_resent_before_the_retry_time(aeat: AeatSimulator) -> None:
    add_records(2)
    aeat.reject(number(2))
    verifactu_submit_pending()
    _wait_is_over()

    outcome = verifactu_submit_pending()

    assert outcome.result == "nothing_pending"
    assert len(aeat.received) == 1
    assert _pending() == [2]


def test_a_rejected_record_goes_again_flagged_as_after_a_rejection(
    aeat: AeatSimulator, settings: object
) -> None:
    add_records(3)
    aeat.reject(number(2))
    verifactu_submit_pending()
    settings.VERIFACTU_RETRY_REJECTED_AFTER = 0  # type: ignore[attr-defined]
    _wait_is_over()

    resent = verifactu_submit_pending().submission

    assert resent is not None
    assert resent.status == "correct"
    assert _answers(resent) == [(2, "correct", None, False)]
    assert resent.answers.get().after_rejection is True
    sent = etree.fromstring(resent.request.encode())
    alta = sent.find(f".//{_sf('RegistroAlta')}")
    assert alta is not None
    assert (alta.findtext(_sf("Subsanacion")), alta.findtext(_sf("RechazoPrevio"))) == ("S", "X")
    assert _pending() == []
    assert _held_numbers(aeat) == [number(1), number(2), number(3)]


def test_a_timeout_leaves_every_record_pending_and_the_next_run_sends_them_once(
    aeat: AeatSimulator,
) -> None:
    add_records(2)
    aeat.timeout_next(seconds=2)

    failed = verifactu_submit_pending().submission

    assert failed is not None
    assert failed.status == "unavailable"
    assert failed.error == "The AEAT did not answer: ReadTimeout"
    assert failed.answers.count() == 0
    assert failed.records.count() == 2
    assert _pending() == [1, 2]
    assert SubmissionState.objects.get(pk=1).next_allowed_at is None

    sent = verifactu_submit_pending().submission

    assert sent is not None
    assert _answers(sent) == [(1, "correct", None, False), (2, "correct", None, False)]
    assert len(aeat.received) == 1
    assert _pending() == []


def test_a_timeout_after_the_aeat_registered_them_ends_in_duplicates_counted_registered(
    aeat: AeatSimulator,
) -> None:
    add_records(2)
    aeat.timeout_next(after_processing=True, seconds=2)
    verifactu_submit_pending()
    assert _pending() == [1, 2]

    sent = verifactu_submit_pending().submission

    assert sent is not None
    assert sent.status == "incorrect"  # every line is a rejection as a duplicate
    assert _answers(sent) == [(1, "correct", 3000, True), (2, "correct", 3000, True)]
    assert _pending() == []
    assert _held_numbers(aeat) == [number(1), number(2)]
    assert [len(received.lines) for received in aeat.received] == [2, 2]


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_leaves_every_record_pending(aeat: AeatSimulator, status: int) -> None:
    add_records(2)
    aeat.fail_next(status=status)

    failed = verifactu_submit_pending().submission

    assert failed is not None
    assert failed.status == "unavailable"
    assert (
        failed.error
        == f"The AEAT is unavailable: HTTP {status} <html><body>HTTP {status}</body></html>"
    )
    assert RecordAnswer.objects.count() == 0
    assert _pending() == [1, 2]
    assert aeat.received == []

    sent = verifactu_submit_pending().submission

    assert sent is not None
    assert sent.status == "correct"
    assert _pending() == []


def test_the_wait_the_aeat_asked_for_is_honoured(aeat: AeatSimulator) -> None:
    aeat.wait_seconds = 120
    add_records(1)
    first = verifactu_submit_pending().submission
    add_records(1)

    outcome = verifactu_submit_pending()

    assert first is not None
    assert outcome.result == "waiting"
    assert outcome.next_allowed_at == first.sent_at + timedelta(seconds=120)
    assert len(aeat.received) == 1
    assert Submission.objects.count() == 1
    assert _pending() == [2]

    _wait_is_over()
    second = verifactu_submit_pending().submission

    assert second is not None
    assert _answers(second) == [(2, "correct", None, False)]


def test_a_batch_holds_at_most_the_batch_size_and_a_full_batch_does_not_wait(
    aeat: AeatSimulator, settings: object
) -> None:
    settings.VERIFACTU_BATCH_SIZE = 2  # type: ignore[attr-defined]
    add_records(5)

    first = verifactu_submit_pending().submission
    second = verifactu_submit_pending().submission  # 3 pending: a full batch goes at once
    third = verifactu_submit_pending()  # 1 pending: it waits

    assert first is not None
    assert second is not None
    assert list(first.records.values_list("position", flat=True).order_by("position")) == [1, 2]
    assert list(second.records.values_list("position", flat=True).order_by("position")) == [3, 4]
    assert third.result == "waiting"
    assert [len(received.lines) for received in aeat.received] == [2, 2]
    assert _pending() == [5]


def test_nothing_pending_sends_nothing(aeat: AeatSimulator) -> None:
    outcome = verifactu_submit_pending()

    assert outcome.result == "nothing_pending"
    assert aeat.received == []
    assert Submission.objects.count() == 0


def test_the_simulator_finds_a_broken_chain(aeat: AeatSimulator) -> None:
    add_records(1)
    add_forged_record(previous_huella="0" * 64)  # its order's own record comes first

    submission = verifactu_submit_pending().submission

    assert submission is not None
    assert submission.status == "partially_correct"
    assert _answers(submission) == [
        (1, "correct", None, False),
        (2, "correct", None, False),
        (3, "accepted_with_errors", 2003, False),
    ]
    assert _pending() == []  # accepted with errors: registered, to be corrected by a new record


def test_the_simulator_recomputes_the_huella(aeat: AeatSimulator) -> None:
    (record,) = add_records(1)
    stored = record.huella
    tampered = re.sub(r"<sum1:ImporteTotal>[^<]+<", "<sum1:ImporteTotal>0.01<", record.xml)
    assert tampered != record.xml
    # Records are append-only: changed behind the ORM's back, with a plain queryset.
    QuerySet(VerifactuRecord).filter(pk=record.pk).update(xml=tampered)

    submission = verifactu_submit_pending().submission

    assert submission is not None
    assert _answers(submission) == [(1, "accepted_with_errors", 2000, False)]
    assert (
        submission.answers.get().error_text == "El cálculo de la huella suministrada es incorrecta."
    )
    assert stored in submission.request


def test_the_simulators_answers_follow_the_aeats_answer_schema(aeat: AeatSimulator) -> None:
    add_records(3)
    aeat.reject(number(2))
    aeat.timeout_next(after_processing=True, seconds=1)
    verifactu_submit_pending()

    submission = verifactu_submit_pending().submission

    assert submission is not None
    assert _answers(submission) == [
        (1, "correct", 3000, True),
        (2, "correct", None, False),
        (3, "correct", 3000, True),
    ]
    body = etree.fromstring(submission.answer.encode())[1][0]
    assert body.tag == f"{{{R_NS}}}RespuestaRegFactuSistemaFacturacion"
    assert answer_schema().validate(body), answer_schema().error_log


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_records(aeat: AeatSimulator) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: the lock row is a PostgreSQL test")
    # The outbox runs the task after each order's commit here: it must find the wait.
    SubmissionState.objects.update_or_create(
        pk=1, defaults={"next_allowed_at": timezone.now() + timedelta(hours=1)}
    )
    add_records(3)
    _wait_is_over()

    results = run_together([lambda _client: verifactu_submit_pending().result] * 2)

    assert sorted(results) in (["busy", "sent"], ["sent", "waiting"])
    assert Submission.objects.count() == 1
    assert [len(received.lines) for received in aeat.received] == [3]
