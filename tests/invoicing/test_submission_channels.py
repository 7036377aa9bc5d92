"""The channels besides the simulator: the file channel and its answers, the aeat
channel's address and certificate, the command and the task."""

from __future__ import annotations

import io
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from invoicing import tasks
from invoicing.models import RecordAnswer, Submission, SubmissionState
from invoicing.selectors_submission import records_pending
from invoicing.services_submission import verifactu_answers_import, verifactu_submit_pending
from invoicing.submission.aeat import AeatChannel, client_certificate, endpoint
from invoicing.submission.base import get_channel
from invoicing.submission.file import answer_path
from invoicing.submission.simulator import AeatSimulator, SimulatorChannel
from tests.factories.orders import place_order
from tests.invoicing.submission_helpers import (  # noqa: F401
    add_forged_record,
    add_records,
    aeat_simulator,
    number,
)

pytestmark = pytest.mark.django_db


def _pending() -> list[int]:
    return list(records_pending().values_list("position", flat=True))


@pytest.fixture
def file_channel(settings: Any, tmp_path: Path) -> Path:
    settings.VERIFACTU_CHANNEL = "file"
    settings.VERIFACTU_FILE_DIR = tmp_path
    return tmp_path


def test_the_file_channel_writes_the_submission_and_its_records_wait_for_the_answer(
    file_channel: Path,
) -> None:
    add_records(2)

    submission = verifactu_submit_pending().submission

    assert submission is not None
    assert (submission.adapter, submission.status) == ("file", "written")
    written = file_channel / f"{submission.reference}.xml"
    assert sorted(path.name for path in file_channel.iterdir()) == [written.name]
    assert written.read_text(encoding="utf-8") == submission.request
    assert submission.answers.count() == 0
    assert _pending() == [1, 2]

    SubmissionState.objects.filter(pk=1).update(next_allowed_at=timezone.now())
    again = verifactu_submit_pending()

    assert again.result == "nothing_pending"  # sent to file: not written twice
    assert Submission.objects.count() == 1


def test_the_answer_dropped_beside_the_file_is_stored_per_record(file_channel: Path) -> None:
    add_records(2)
    submission = verifactu_submit_pending().submission
    assert submission is not None
    simulator = AeatSimulator(wait_seconds=30)
    simulator.reject(number(2))
    _, answer = simulator.process((file_channel / f"{submission.reference}.xml").read_bytes())
    answer_path(submission.reference).write_bytes(answer)

    answered = verifactu_answers_import()

    submission.refresh_from_db()
    assert answered == [submission]
    assert (submission.status, submission.wait_seconds) == ("partially_correct", 30)
    assert submission.answer.encode() == answer
    assert [
        (a.record.position, a.status) for a in submission.answers.order_by("record__position")
    ] == [
        (1, "correct"),
        (2, "incorrect"),
    ]
    assert _pending() == [2]
    assert verifactu_answers_import() == []  # imported once


def test_an_answer_file_that_cannot_be_read_is_left_for_later(file_channel: Path) -> None:
    add_records(1)
    submission = verifactu_submit_pending().submission
    assert submission is not None
    answer_path(submission.reference).write_bytes(b"<half")

    answered = verifactu_answers_import()

    submission.refresh_from_db()
    assert answered == []
    assert submission.status == "written"
    assert submission.answers.count() == 0


@pytest.mark.parametrize(
    ("environment", "seal", "url"),
    [
        (
            "test",
            False,
            "https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
        ),
        (
            "test",
            True,
            "https://prewww10.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
        ),
        (
            "production",
            False,
            "https://www1.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
        ),
        (
            "production",
            True,
            "https://www10.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
        ),
    ],
)
def test_the_aeat_address_follows_the_environment_and_the_certificate(
    settings: Any, environment: str, seal: bool, url: str
) -> None:
    settings.VERIFACTU_ENVIRONMENT = environment
    settings.VERIFACTU_SEAL_CERTIFICATE = seal
    settings.VERIFACTU_AEAT_URL = ""

    assert endpoint() == url


def test_the_aeat_channel_needs_a_client_certificate(settings: Any) -> None:
    settings.VERIFACTU_CHANNEL = "aeat"
    settings.VERIFACTU_CERT_FILE = settings.VERIFACTU_KEY_FILE = settings.VERIFACTU_PKCS12_FILE = ""

    with pytest.raises(ImproperlyConfigured, match="needs a client certificate"):
        get_channel()


def test_the_aeat_channel_takes_pem_files(settings: Any) -> None:
    settings.VERIFACTU_PKCS12_FILE = ""
    settings.VERIFACTU_CERT_FILE, settings.VERIFACTU_KEY_FILE = (
        "/etc/shop/cert.pem",
        "/etc/shop/key.pem",
    )

    assert AeatChannel().cert == ("/etc/shop/cert.pem", "/etc/shop/key.pem")


def test_a_pkcs12_certificate_becomes_private_pem_files(settings: Any, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aguas de la Tienda Demo")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    bundle = tmp_path / "sello.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"sello", key, certificate, None, serialization.BestAvailableEncryption(b"s3cret")
        )
    )
    settings.VERIFACTU_PKCS12_FILE, settings.VERIFACTU_PKCS12_PASSWORD = str(bundle), "s3cret"

    cert_path, key_path = client_certificate()

    assert x509.load_pem_x509_certificate(Path(cert_path).read_bytes()) == certificate
    loaded = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    assert loaded.private_numbers() == key.private_numbers()  # type: ignore[union-attr]
    assert stat.S_IMODE(Path(key_path).stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(key_path).parent.stat().st_mode) == 0o700


def test_a_pkcs12_with_the_wrong_password_is_refused(settings: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "sello.p12"
    bundle.write_bytes(b"not a pkcs12 file")
    settings.VERIFACTU_PKCS12_FILE, settings.VERIFACTU_PKCS12_PASSWORD = str(bundle), "wrong"

    with pytest.raises(ImproperlyConfigured, match="VERIFACTU_PKCS12_FILE cannot be read"):
        client_certificate()


def test_the_simulator_channel_posts_to_the_configured_simulator(aeat: AeatSimulator) -> None:
    channel = get_channel()

    assert isinstance(channel, SimulatorChannel)
    assert (channel.url, channel.cert) == (aeat.url, None)


def test_the_command_prints_what_it_sent_and_the_answers(aeat: AeatSimulator) -> None:
    add_records(2)
    aeat.reject(
        number(2), code=1105, text="El valor del campo FechaExpedicionFactura es incorrecto."
    )
    out = io.StringIO()

    call_command("verifactu_submit", stdout=out)

    submission = Submission.objects.get()
    until = timezone.localtime(submission.sent_at + timedelta(seconds=60))
    assert out.getvalue() == (
        f"Submission {submission.pk} via simulator: 2 records (positions 1-2), status "
        f"partially_correct, CSV {submission.csv}; "
        f"next submission from {until:%Y-%m-%d %H:%M:%S}.\n"
        "  1: correct\n"
        "  2: incorrect [1105] El valor del campo FechaExpedicionFactura es incorrecto.\n"
    )


def test_the_command_says_when_it_waits(aeat: AeatSimulator) -> None:
    add_records(1)
    verifactu_submit_pending()
    add_records(1)
    out = io.StringIO()

    call_command("verifactu_submit", stdout=out)

    until = timezone.localtime(SubmissionState.objects.get(pk=1).next_allowed_at)
    assert (
        out.getvalue()
        == f"Waiting: the AEAT asked for no submission before {until:%Y-%m-%d %H:%M:%S}.\n"
    )
    assert len(aeat.received) == 1


def test_the_beat_task_sends_the_pending_records(aeat: AeatSimulator) -> None:
    add_records(1)

    result = tasks.verifactu_submit_pending.apply().get()

    assert result == "sent"
    assert _pending() == []


def test_a_placed_orders_record_reaches_the_aeat_after_the_commit(
    aeat: AeatSimulator, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order()

    (answer,) = RecordAnswer.objects.select_related("record__invoice")
    assert answer.record.invoice.order == order
    assert answer.status == "correct"
    assert _pending() == []
    assert [len(received.lines) for received in aeat.received] == [1]
