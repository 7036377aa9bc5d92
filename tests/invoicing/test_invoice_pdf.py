"""An issued invoice's PDF: drawn once by its task onto the private storage, downloaded
through a signed expiring link, e-mailed with the order's confirmation or on its own,
and written to a file by ``invoice_pdf``."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core import mail, signing
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import formats, translation

from invoicing import emails, rendering
from invoicing.models import Invoice
from invoicing.selectors import invoice_pdf_url
from orders import emails as order_emails
from orders import services as order_services
from orders.models import OrderEvent
from shop.accounts.roles import ORDER_MANAGER
from shop.outbox.models import Message
from tests.factories.orders import place_order, staff_in_role, stocked_variant
from tests.invoicing.invoice_rows import MADRID, issued_invoice
from tests.invoicing.pdf_reading import in_language, pdf_qr_codes, pdf_text

pytestmark = pytest.mark.django_db
QR_URL = (
    "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
    "?nif=A99999997&numserie=F2-2027-000001&fecha=05-03-2027&importe=29.15"
)
EMAIL_TASK = "invoicing.tasks.invoice_email_send"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path, monkeypatch):
    """PDFs go to ``tmp_path``. The field took its storage when the model was
    defined, so it is pointed at the overridden one as well."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    monkeypatch.setattr(Invoice._meta.get_field("pdf"), "storage", storages["private"])
    return tmp_path / "private"


@pytest.fixture
def order():
    return place_order(lines=[(stocked_variant(quantity=5), 1)], email="lucia@example.com")


def stored(invoice: Invoice) -> bytes:
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stream:
        return stream.read()


def test_the_task_draws_the_pdf_once_onto_the_private_storage(order, private_storage, settings):
    invoice = issued_invoice(order, language="en")

    drawn = rendering.invoice_pdf_render(invoice_id=invoice.pk)

    invoice.refresh_from_db()
    assert drawn is True
    assert invoice.pdf.name.startswith("invoices/")
    assert invoice.pdf.name.endswith("/F2-2027-000001.pdf")
    assert (private_storage / invoice.pdf.name).is_file()
    assert not str(private_storage).startswith(str(settings.MEDIA_ROOT))
    pdf = stored(invoice)
    text = pdf_text(pdf)
    assert "Simplified invoice Invoice number: F2-2027-000001 Series: F2-2027" in text
    # 00:30 in Madrid on 5 March is still 4 March in UTC: the invoice's day is Madrid's.
    assert "Issue date: March 5, 2027" in text
    assert "Issuer Aguas de la Tienda Demo, S.A. NIF: A99999997 Calle Torneo 121 41002 Sevilla" in (
        text
    )
    assert "Jarra filtrante 2 €12.10 21% €24.20 Envío 1 €4.95 21% €4.95" in text
    assert "21% €24.09 €5.06 €29.15 Total €24.09 €5.06 €29.15 VAT included" in text
    assert pdf_qr_codes(pdf) == [(1, QR_URL, "M")]
    # The confirmation has not gone out: it will carry the PDF, no e-mail of its own.
    assert not Message.objects.filter(task=EMAIL_TASK).exists()


def test_a_pdf_drawn_after_the_confirmation_went_out_owes_its_own_email(order):
    invoice = issued_invoice(order)
    order_emails.order_email_send(order.pk, "confirmation")

    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    assert list(Message.objects.filter(task=EMAIL_TASK).values_list("kwargs", flat=True)) == [
        {"invoice_id": invoice.pk}
    ]


def test_the_task_run_again_leaves_the_pdf_as_it_is_and_owes_no_second_email(order):
    invoice = issued_invoice(order)
    order_emails.order_email_send(order.pk, "confirmation")
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    name, first = invoice.pdf.name, stored(invoice)

    drawn = rendering.invoice_pdf_render(invoice_id=invoice.pk)

    assert drawn is False
    assert stored(invoice) == first
    assert invoice.pdf.name == name
    assert Message.objects.filter(task=EMAIL_TASK).count() == 1


def test_a_full_invoice_from_its_rows_prints_the_recipients_fiscal_address(order):
    invoice = issued_invoice(order, kind="F1", language="es")

    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    text = pdf_text(stored(invoice))
    assert "Ferretería Núñez, S.L." in text
    assert "B91000008 Calle Feria 40 41003 Sevilla" in text
    assert "(Sevilla)" not in text.split("41003 Sevilla", 1)[1][:10]
    assert "Jarra filtrante 2 10,00 € 21 % 20,00 € Envío 1 4,09 € 21 % 4,09 €" in text


def test_a_rectificativa_from_its_rows_cites_the_invoice_it_corrects(order):
    original = issued_invoice(order, language="en")
    invoice = issued_invoice(
        order,
        kind="R5",
        sign=-1,
        language="en",
        issued_at=datetime(2027, 3, 9, 12, 0, tzinfo=MADRID),
        rectified=original,
        rectification_type="I",
        reason="Refund of the order",
    )
    invoice.rectifies.add(original)

    document = rendering.invoice_document(invoice)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    assert [(ref.number, ref.issue_date) for ref in document.rectified] == [
        ("F2-2027-000001", date(2027, 3, 5))
    ]
    text = pdf_text(stored(invoice))
    assert "Corrective invoice (factura rectificativa) Invoice number: R5-2027-000001" in text
    assert "Rectifies invoice F2-2027-000001 of March 5, 2027" in text
    assert "Rectification by differences Reason: Refund of the order" in text
    assert "Total -€24.09 -€5.06 -€29.15" in text
    assert pdf_qr_codes(stored(invoice)) == [
        (
            1,
            "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
            "?nif=A99999997&numserie=R5-2027-000001&fecha=09-03-2027&importe=-29.15",
            "M",
        )
    ]


def test_an_f3_from_its_rows_lists_the_invoices_it_substitutes(order):
    first = issued_invoice(order, language="en")
    second = issued_invoice(order, number=2, language="en")
    invoice = issued_invoice(order, kind="F3", language="en")
    invoice.substituted.add(first, second)

    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    assert (
        "Issued in substitution of the simplified invoices: "
        "F2-2027-000001 of March 5, 2027 F2-2027-000002 of March 5, 2027"
    ) in pdf_text(stored(invoice))


# The signed link.


def test_the_signed_link_streams_the_pdf_with_the_invoice_number(client, order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()

    url = invoice_pdf_url(invoice)
    response = client.get(url)

    assert url.startswith(f"/invoices/{invoice.pk}/pdf/?sig=")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="F2-2027-000001.pdf"'
    assert response["Cache-Control"] == "private, max-age=600"
    assert b"".join(response.streaming_content) == stored(invoice)


def test_the_link_is_absolute_for_a_request(rf, order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()

    url = invoice_pdf_url(invoice, request=rf.get("/graphql/"))

    assert url.startswith(f"http://testserver/invoices/{invoice.pk}/pdf/?sig=")


def test_there_is_no_link_before_the_pdf_is_drawn(order):
    assert invoice_pdf_url(issued_invoice(order)) is None


def test_an_expired_link_is_refused(client, order, settings, monkeypatch):
    settings.INVOICE_PDF_LINK_SECONDS = 3600
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    url = invoice_pdf_url(invoice)
    now = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 3601)

    response = client.get(url)

    assert response.status_code == 403
    assert response["Content-Type"] != "application/pdf"


def test_a_link_is_still_good_just_before_it_expires(client, order, settings, monkeypatch):
    settings.INVOICE_PDF_LINK_SECONDS = 3600
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    url = invoice_pdf_url(invoice)
    now = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 3590)

    response = client.get(url)

    body = b"".join(response.streaming_content)  # read to the end: the client closes the file
    assert (response.status_code, body) == (200, stored(invoice))


def test_a_tampered_or_missing_signature_is_refused(client, order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    url = invoice_pdf_url(invoice)
    tampered = url[:-1] + ("A" if url[-1] != "A" else "B")

    statuses = [
        client.get(tampered).status_code,
        client.get(f"/invoices/{invoice.pk}/pdf/").status_code,
        client.get(f"/invoices/{invoice.pk}/pdf/?sig=").status_code,
    ]

    assert statuses == [403, 403, 403]


def test_another_invoices_signature_does_not_open_this_one(client, order):
    mine = issued_invoice(order)
    theirs = issued_invoice(order, number=2)
    for invoice in (mine, theirs):
        rendering.invoice_pdf_render(invoice_id=invoice.pk)
        invoice.refresh_from_db()
    signature = invoice_pdf_url(mine).split("?sig=")[1]

    response = client.get(f"/invoices/{theirs.pk}/pdf/?sig={signature}")

    assert response.status_code == 403


def test_a_signature_of_another_purpose_is_refused(client, order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    other = signing.TimestampSigner(salt="orders.claim-photo").sign(str(invoice.pk))

    response = client.get(f"/invoices/{invoice.pk}/pdf/?sig={other.split(':', 1)[1]}")

    assert response.status_code == 403


def test_a_valid_signature_for_an_invoice_without_pdf_is_not_found(client, order):
    invoice = issued_invoice(order)
    signature = signing.TimestampSigner(salt="invoice-pdf").sign(str(invoice.pk)).split(":", 1)[1]

    response = client.get(f"/invoices/{invoice.pk}/pdf/?sig={signature}")

    assert response.status_code == 404


# The e-mail.


def test_the_confirmation_carries_the_pdf_when_it_is_drawn_by_then(order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    order_emails.order_email_send(order.pk, "confirmation")
    sent_again = emails.invoice_email_send(invoice.pk)

    [message] = mail.outbox
    assert message.subject == f"Tu pedido {order.number}"
    assert message.attachments == [("F2-2027-000001.pdf", stored(invoice), "application/pdf")]
    event = order.events.get(type=OrderEvent.Type.EMAIL_SENT)
    assert event.data == {"kind": "confirmation", "attachments": ["F2-2027-000001.pdf"]}
    assert sent_again is False


def test_a_pdf_drawn_after_the_confirmation_comes_in_its_own_email(order, settings):
    settings.DEFAULT_FROM_EMAIL = "tienda@aguas.example"
    invoice = issued_invoice(order, language="en")
    order_emails.order_email_send(order.pk, "confirmation")
    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    sent = emails.invoice_email_send(invoice.pk)

    confirmation, own = mail.outbox
    assert confirmation.attachments == []
    assert sent is True
    assert own.to == ["lucia@example.com"]
    assert own.from_email == "tienda@aguas.example"
    assert own.subject == f"Your invoice F2-2027-000001 for order {order.number}"
    assert "attached is the simplified invoice F2-2027-000001 for your order" in own.body
    assert own.attachments == [("F2-2027-000001.pdf", stored(invoice), "application/pdf")]
    events = order.events.filter(type=OrderEvent.Type.EMAIL_SENT).order_by("pk")
    assert [event.data for event in events] == [
        {"kind": "confirmation"},
        {"kind": "invoice", "invoice": "F2-2027-000001", "attachments": ["F2-2027-000001.pdf"]},
    ]


def test_the_invoice_email_is_sent_once(order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    emails.invoice_email_send(invoice.pk)

    sent = emails.invoice_email_send(invoice.pk)

    assert sent is False
    assert len(mail.outbox) == 1


def test_a_card_order_placed_gets_one_email_its_confirmation_with_the_invoice(
    django_capture_on_commit_callbacks,
):
    variant = stocked_variant(quantity=5)

    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(lines=[(variant, 1)], email="ana@example.com")

    [invoice] = Invoice.objects.filter(order=order)
    [message] = mail.outbox
    assert message.subject == f"Tu pedido {order.number}"
    assert message.attachments == [
        (f"{invoice.full_number}.pdf", stored(invoice), "application/pdf")
    ]
    assert not Message.objects.filter(task=EMAIL_TASK).exists()


def test_the_render_task_through_the_outbox_ends_with_the_pdf_emailed(
    order, django_capture_on_commit_callbacks
):
    invoice = issued_invoice(order)
    order_emails.order_email_send(order.pk, "confirmation")

    with django_capture_on_commit_callbacks(execute=True):
        rendering.invoice_pdf_render(invoice_id=invoice.pk)

    confirmation, message = mail.outbox
    assert confirmation.attachments == []
    assert message.attachments == [("F2-2027-000001.pdf", stored(invoice), "application/pdf")]
    assert Message.objects.get(task=EMAIL_TASK).done_at is not None


def test_a_refund_after_the_confirmation_emails_the_rectificativa_on_its_own(
    django_capture_on_commit_callbacks,
):
    variant = stocked_variant(quantity=5)
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(lines=[(variant, 1)], email="ana@example.com")
    [original] = Invoice.objects.filter(order=order)

    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_refund(
            actor=staff_in_role(ORDER_MANAGER),
            order=order,
            amount=order.total_gross,
            idempotency_key="all",
        )

    rectificativa = Invoice.objects.get(order=order, kind="R5")
    carrying = [
        (message.subject, [name for name, _content, _type in message.attachments])
        for message in mail.outbox
        if message.attachments
    ]
    assert carrying == [
        (f"Tu pedido {order.number}", [f"{original.full_number}.pdf"]),
        (
            in_language(
                "es",
                "Your invoice %(number)s for order %(order)s",
                number=rectificativa.full_number,
                order=order.number,
            ),
            [f"{rectificativa.full_number}.pdf"],
        ),
    ]
    with translation.override("es"):
        issued = formats.date_format(original.issue_date, "DATE_FORMAT")
    assert in_language(
        "es", "Rectifies invoice %(number)s of %(date)s", number=original.full_number, date=issued
    ) in pdf_text(stored(rectificativa))


def test_no_email_is_sent_for_an_invoice_without_its_pdf(order):
    invoice = issued_invoice(order)

    with pytest.raises(ValueError, match="F2-2027-000001 has no PDF yet"):
        emails.invoice_email_send(invoice.pk)

    assert mail.outbox == []
    assert not order.events.filter(type=OrderEvent.Type.EMAIL_SENT).exists()


def test_other_order_emails_carry_no_invoice(order):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)

    order_emails.order_email_send(order.pk, "cancelled")

    assert mail.outbox[0].attachments == []


# The command.


def test_the_command_writes_the_stored_pdf(order, tmp_path):
    invoice = issued_invoice(order)
    rendering.invoice_pdf_render(invoice_id=invoice.pk)
    out = tmp_path / "out.pdf"

    call_command("invoice_pdf", "F2-2027-000001", str(out), stdout=(stdout := _Buffer()))

    assert out.read_bytes() == stored(invoice)
    assert stdout.text.endswith(f"bytes written to {out} (stored).\n")


def test_the_command_draws_an_invoice_not_drawn_yet_without_storing_it(order, tmp_path):
    invoice = issued_invoice(order, language="en")
    out = tmp_path / "out.pdf"

    call_command("invoice_pdf", "F2-2027-000001", str(out), stdout=_Buffer())

    assert "Invoice number: F2-2027-000001" in pdf_text(out.read_bytes())
    invoice.refresh_from_db()
    assert invoice.pdf.name == ""


def test_the_command_names_an_unknown_invoice(tmp_path):
    with pytest.raises(CommandError, match=r"^No invoice F2-2027-999999\.$"):
        call_command("invoice_pdf", "F2-2027-999999", str(tmp_path / "out.pdf"))

    assert not (tmp_path / "out.pdf").exists()


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
