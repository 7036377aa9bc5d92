"""Water-bill billing in the admin: the billing operator reads the billing pages
and runs the cycle from them (export, acknowledgements, close, reconciliation);
other roles can neither read them nor act."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from admin_ui import billing as billing_admin
from billing_bridge import services_exchange
from billing_bridge.exchange.base import ExchangeError
from billing_bridge.exchange.file import FileExchange
from billing_bridge.models import AckFile, BatchLine, BillCharge, ExportBatch, SupplyContract
from orders.payments.memory import gateway
from shop.accounts.roles import (
    BILLING_OPERATOR,
    CATALOGUE_MANAGER,
    ORDER_MANAGER,
    SHOP_ADMINISTRATOR,
)
from tests.billing_bridge.test_exchange import (
    CUTOFF,
    an_order_in_three_installments,
    billing_system,
    write_ack,
)
from tests.factories import StaffFactory
from tests.factories.audit import history
from tests.factories.orders import staff_in_role

pytestmark = pytest.mark.django_db

PAGES = ("supplycontract", "contractlink", "billcharge", "exportbatch", "ackfile")
EN = {"Accept-Language": "en"}
BATCHES = "/admin/billing_bridge/exportbatch/"
EXPORT = f"{BATCHES}export/"
CYCLES = f"{BATCHES}cycles/"
ACK_FILES = "/admin/billing_bridge/ackfile/"
IMPORT = f"{ACK_FILES}import/"
CYCLE_PERMISSIONS = (
    "billing_bridge.export_batch",
    "billing_bridge.close_batch",
    "billing_bridge.import_ackfile",
)


@pytest.fixture(autouse=True)
def _exchange(settings, tmp_path):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    gateway.reset()


@pytest.fixture
def contract():
    return SupplyContract.objects.create(
        number="41000123",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12",
        postal_code="41010",
        next_cutoff=date(2026, 12, 20),
    )


def signed_in(client, role):
    user = staff_in_role(role)
    client.force_login(user)
    return user


def exported_batch(cutoff=CUTOFF):
    """A batch of the first of three installments (8.32 €), or of more for a later cut-off."""
    an_order_in_three_installments()
    return services_exchange.bill_cycle_export(cutoff=cutoff, actor=None)


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def batch_url(batch, action):
    return f"{BATCHES}{batch.pk}/{action}/"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def charge_states():
    return sorted(BillCharge.objects.values_list("sequence", "status"))


# Reading


@pytest.mark.parametrize("page", PAGES)
def test_the_billing_operator_reads_the_billing_pages(client, contract, page):
    signed_in(client, BILLING_OPERATOR)
    response = client.get(f"/admin/billing_bridge/{page}/")
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_a_catalogue_manager_cannot_open_the_billing_pages(client, contract, page):
    signed_in(client, CATALOGUE_MANAGER)
    assert client.get(f"/admin/billing_bridge/{page}/").status_code == 403


def test_contracts_show_the_credit_left_and_cannot_be_edited(client, contract):
    signed_in(client, BILLING_OPERATOR)
    listing = client.get("/admin/billing_bridge/supplycontract/")
    assert "300.00 €" in listing.content.decode()
    assert (
        client.post(
            f"/admin/billing_bridge/supplycontract/{contract.pk}/change/", {"status": "terminated"}
        ).status_code
        == 403
    )
    contract.refresh_from_db()
    assert contract.status == SupplyContract.Status.ACTIVE


def test_a_batch_page_shows_its_reconciliation(client):
    batch = exported_batch(cutoff=date(2026, 12, 31))
    signed_in(client, BILLING_OPERATOR)

    page = client.get(batch_url(batch, "change"), headers=EN)

    assert page.status_code == 200
    assertContains(
        page,
        "Exported 1 / 8.32 € = accepted 0 / 0.00 € + rejected 0 / 0.00 € + in flight 1 / 8.32 €.",
    )
    assertContains(page, "Balanced.")


# Permissions


@pytest.mark.parametrize(
    ("role", "held"),
    [
        (BILLING_OPERATOR, set(CYCLE_PERMISSIONS)),
        (SHOP_ADMINISTRATOR, set(CYCLE_PERMISSIONS)),
        (ORDER_MANAGER, set()),
        (CATALOGUE_MANAGER, set()),
    ],
)
def test_the_cycle_permissions_belong_to_the_billing_roles_only(role, held):
    user = staff_in_role(role)
    assert {name for name in CYCLE_PERMISSIONS if user.has_perm(name)} == held


def test_the_operator_sees_the_cycle_buttons(client):
    signed_in(client, BILLING_OPERATOR)

    batches = client.get(BATCHES, headers=EN)
    ack_files = client.get(ACK_FILES, headers=EN)

    assertContains(batches, f'<a href="{EXPORT}">Export charges due</a>', html=True)
    assertContains(batches, f'<a href="{CYCLES}">Cycles and reconciliation</a>', html=True)
    assertContains(ack_files, f'<a href="{IMPORT}">Import an acknowledgement file</a>', html=True)


def test_staff_who_may_only_read_batches_get_no_buttons_and_no_actions(client):
    batch = exported_batch()
    ack_path = billing_system().acknowledge(batch.number).path
    reader = StaffFactory()
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_exportbatch", "view_ackfile"])
    )
    client.force_login(reader)

    batches = client.get(BATCHES, headers=EN)
    batch_page = client.get(batch_url(batch, "change"), headers=EN)
    ack_files = client.get(ACK_FILES, headers=EN)
    refused = [
        client.post(EXPORT, {"cutoff": "2027-04-20"}).status_code,
        client.post(IMPORT, {"file": upload(ack_path)}).status_code,
        client.post(batch_url(batch, "rewrite")).status_code,
        client.post(batch_url(batch, "close")).status_code,
    ]

    assertNotContains(batches, EXPORT)
    assertContains(batches, CYCLES)
    assertNotContains(batch_page, batch_url(batch, "rewrite"))
    assertNotContains(batch_page, batch_url(batch, "close"))
    assertNotContains(ack_files, IMPORT)
    assert refused == [403, 403, 403, 403]
    assert list(ExportBatch.objects.values_list("number", "status")) == [
        ("B-20261220-001", "exported")
    ]
    assert charge_states() == [(1, "exported"), (2, "pending"), (3, "pending")]
    assert AckFile.objects.count() == 0
    assert history() == []


@pytest.mark.parametrize("role", [CATALOGUE_MANAGER, ORDER_MANAGER])
def test_other_roles_can_reach_no_cycle_page_and_change_nothing(client, tmp_path, role):
    batch = exported_batch()
    ack_path = billing_system().acknowledge(batch.number).path
    (tmp_path / f"{batch.number}.csv").unlink()  # only a rewrite would bring it back
    signed_in(client, role)
    pages = [
        EXPORT,
        IMPORT,
        CYCLES,
        f"{CYCLES}{CUTOFF.isoformat()}/",
        batch_url(batch, "close"),
        batch_url(batch, "rewrite"),
    ]

    opened = [client.get(page).status_code for page in pages]
    posted = [
        client.post(EXPORT, {"cutoff": "2027-04-20"}).status_code,
        client.post(IMPORT, {"file": upload(ack_path)}).status_code,
        client.post(batch_url(batch, "close")).status_code,
        client.post(batch_url(batch, "rewrite")).status_code,
    ]

    assert opened == [403] * 6
    assert posted == [403] * 4
    assert list(ExportBatch.objects.values_list("number", "status")) == [
        ("B-20261220-001", "exported")
    ]
    assert charge_states() == [(1, "exported"), (2, "pending"), (3, "pending")]
    assert AckFile.objects.count() == 0
    assert not (tmp_path / f"{batch.number}.csv").exists()
    assert history() == []


# Export


def test_the_export_form_proposes_today_as_the_cut_off(client):
    signed_in(client, BILLING_OPERATOR)

    page = client.get(EXPORT, headers=EN)

    assert page.status_code == 200
    assert page.context["form"]["cutoff"].value() == timezone.localdate()
    assertContains(page, f'value="{timezone.localdate().isoformat()}"')


def test_the_operator_exports_the_charges_due_into_one_batch_and_its_files(client, tmp_path):
    an_order_in_three_installments()
    operator = signed_in(client, BILLING_OPERATOR)

    response = client.post(EXPORT, {"cutoff": "2026-12-20"}, headers=EN)

    batch = ExportBatch.objects.get()
    summary = "Batch B-20261220-001 exported: 1 charge due by 12/20/2026, 8.32 €."
    assert response.status_code == 302
    assert response["Location"] == batch_url(batch, "change")
    assert (batch.number, batch.count, batch.total, batch.created_by) == (
        "B-20261220-001",
        1,
        Decimal("8.32"),
        operator,
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "B-20261220-001.csv",
        "B-20261220-001.json",
    ]
    assert charge_states() == [(1, "exported"), (2, "pending"), (3, "pending")]
    assert messages_of(response) == [summary]
    assert history() == [(operator.pk, "exportbatch", str(batch.pk), ADDITION, summary)]


def test_exporting_when_nothing_is_due_creates_no_batch(client, tmp_path):
    an_order_in_three_installments()
    signed_in(client, BILLING_OPERATOR)

    response = client.post(EXPORT, {"cutoff": "2026-12-01"}, headers=EN)

    assert response.status_code == 302
    assert response["Location"] == BATCHES
    assert messages_of(response) == ["Nothing is due by 12/01/2026: no batch was created."]
    assert ExportBatch.objects.count() == 0
    assert charge_states() == [(1, "pending"), (2, "pending"), (3, "pending")]
    assert list(tmp_path.iterdir()) == []
    assert history() == []


def unreachable(self, batch, rows):
    raise ExchangeError("the billing system is down")


def test_an_export_the_exchange_could_not_take_keeps_its_batch_to_send_later(
    client, monkeypatch, tmp_path
):
    an_order_in_three_installments()
    operator = signed_in(client, BILLING_OPERATOR)
    monkeypatch.setattr(FileExchange, "send_batch", unreachable)

    response = client.post(EXPORT, {"cutoff": "2026-12-20"}, headers=EN)

    batch = ExportBatch.objects.get()
    unsent = (
        "Batch B-20261220-001 holds 1 charge due by 12/20/2026, 8.32 €, and is not sent yet: "
        "the next export sends it, or send it now from its page."
    )
    assert response.status_code == 302
    assert response["Location"] == batch_url(batch, "change")
    assert messages_of(response) == [
        "The billing system could not take the batch: the billing system is down",
        unsent,
    ]
    assert (batch.number, batch.sent_at) == ("B-20261220-001", None)
    assert charge_states() == [(1, "exported"), (2, "pending"), (3, "pending")]
    assert list(tmp_path.iterdir()) == []
    assert history() == [(operator.pk, "exportbatch", str(batch.pk), ADDITION, unsent)]


def test_an_export_that_claims_nothing_new_and_cannot_send_shows_the_form_again(
    client, monkeypatch
):
    an_order_in_three_installments()
    services_exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    ExportBatch.objects.update(sent_at=None)  # claimed earlier, never delivered
    signed_in(client, BILLING_OPERATOR)
    monkeypatch.setattr(FileExchange, "send_batch", unreachable)

    response = client.post(EXPORT, {"cutoff": "2026-12-20"}, headers=EN)

    assert response.status_code == 200
    assert messages_of(response) == [
        "The billing system could not take the batch: the billing system is down"
    ]
    assert list(ExportBatch.objects.values_list("number", "sent_at")) == [("B-20261220-001", None)]
    assert history() == []


def test_a_batch_that_could_not_be_sent_is_sent_from_its_page(client, monkeypatch, tmp_path):
    an_order_in_three_installments()
    operator = signed_in(client, BILLING_OPERATOR)
    monkeypatch.setattr(FileExchange, "send_batch", unreachable)
    client.post(EXPORT, {"cutoff": "2026-12-20"}, follow=True)
    batch = ExportBatch.objects.get()
    monkeypatch.undo()
    page = client.get(batch_url(batch, "change"), headers=EN)

    response = client.post(batch_url(batch, "rewrite"), headers=EN)

    batch.refresh_from_db()
    assertContains(page, f'<a href="{batch_url(batch, "rewrite")}">Send the files</a>', html=True)
    assert response.status_code == 302
    assert messages_of(response) == ["Batch B-20261220-001 was sent to the billing system."]
    assert batch.sent_at is not None
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "B-20261220-001.csv",
        "B-20261220-001.json",
    ]
    assert history()[-1] == (
        operator.pk,
        "exportbatch",
        str(batch.pk),
        CHANGE,
        "Files sent to the billing system.",
    )


def test_the_export_messages_speak_spanish_by_default(client):
    an_order_in_three_installments()
    signed_in(client, BILLING_OPERATOR)

    response = client.post(EXPORT, {"cutoff": "2026-12-01"})

    with translation.override("es"):
        expected = translation.gettext("Nothing is due by %(cutoff)s: no batch was created.") % {
            "cutoff": formats.date_format(date(2026, 12, 1), "SHORT_DATE_FORMAT")
        }
    assert messages_of(response) == [expected]


# Acknowledgements


def test_importing_the_billing_systems_acknowledgement_marks_the_charges_accepted(client):
    batch = exported_batch()
    ack_path = billing_system().acknowledge(batch.number).path
    operator = signed_in(client, BILLING_OPERATOR)

    response = client.post(IMPORT, {"file": upload(ack_path)}, headers=EN)

    ack = AckFile.objects.get()
    summary = (
        "Imported B-20261220-001.ack.csv. Lines: 1; accepted: 1; rejected: 0; settled: 0; "
        "quarantined: 0."
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ACK_FILES}{ack.pk}/change/"
    assert (ack.file_name, ack.imported_by, ack.lines, ack.accepted, ack.rejected) == (
        "B-20261220-001.ack.csv",
        operator,
        1,
        1,
        0,
    )
    assert list(BillCharge.objects.filter(sequence=1).values_list("status", "bill_number")) == [
        ("accepted", "F202612-100200300")
    ]
    batch.refresh_from_db()
    assert batch.status == ExportBatch.Status.ACKNOWLEDGED
    assert messages_of(response) == [summary]
    assert history() == [(operator.pk, "ackfile", str(ack.pk), ADDITION, summary)]


def test_rejected_and_unusable_lines_are_counted_and_pointed_out(client, tmp_path):
    exported_batch(cutoff=date(2027, 2, 20))
    first, second = BillCharge.objects.order_by("sequence")[:2]
    path = write_ack(
        tmp_path,
        f"{first.pk},accepted,F202612-100200300,",
        f"{second.pk},rejected,,contract suspended",
        "not a line",
        name="respuesta.csv",
    )
    signed_in(client, BILLING_OPERATOR)

    response = client.post(IMPORT, {"file": upload(path)}, headers=EN)

    ack = AckFile.objects.get()
    assert (ack.file_name, ack.lines, ack.accepted, ack.rejected, ack.quarantined) == (
        "respuesta.csv",
        3,
        1,
        1,
        1,
    )
    assert charge_states() == [(1, "accepted"), (2, "rejected"), (3, "pending")]
    assert messages_of(response) == [
        "Imported respuesta.csv. Lines: 3; accepted: 1; rejected: 1; settled: 0; quarantined: 1.",
        "1 line could not be applied: review it below.",
    ]


def test_the_same_file_uploaded_twice_changes_nothing_the_second_time(client):
    batch = exported_batch()
    ack_path = billing_system().acknowledge(batch.number).path
    signed_in(client, BILLING_OPERATOR)
    client.post(IMPORT, {"file": upload(ack_path)}, follow=True)  # its message is shown
    ack = AckFile.objects.get()
    charge = BillCharge.objects.get(sequence=1)
    logged = history()

    again = client.post(IMPORT, {"file": upload(ack_path, name="copia.csv")}, headers=EN)

    with translation.override("en"):
        imported_at = formats.date_format(
            timezone.localtime(ack.imported_at), "SHORT_DATETIME_FORMAT"
        )
    assert again.status_code == 302
    assert again["Location"] == f"{ACK_FILES}{ack.pk}/change/"
    assert messages_of(again) == [
        f"This file was already imported on {imported_at} as B-20261220-001.ack.csv: "
        "nothing changed."
    ]
    assert list(AckFile.objects.values_list("pk", "file_name")) == [
        (ack.pk, "B-20261220-001.ack.csv")
    ]
    assert BillCharge.objects.get(sequence=1).updated_at == charge.updated_at
    assert history() == logged


def test_a_file_with_the_wrong_header_is_refused_on_the_form_and_nothing_is_created(
    client, tmp_path
):
    exported_batch()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,status\n1,accepted\n")
    signed_in(client, BILLING_OPERATOR)

    response = client.post(IMPORT, {"file": upload(bad)}, headers=EN)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "This is not an acknowledgement file: its first line must be "
            "charge_id,result,bill_number,reason."
        ]
    }
    assert AckFile.objects.count() == 0
    assert charge_states() == [(1, "exported"), (2, "pending"), (3, "pending")]
    assert history() == []


def test_a_file_over_the_size_limit_is_refused_on_the_form(client, monkeypatch):
    batch = exported_batch()
    ack_path = billing_system().acknowledge(batch.number).path
    monkeypatch.setattr(billing_admin, "MAX_ACK_FILE_BYTES", 10)
    signed_in(client, BILLING_OPERATOR)

    response = client.post(IMPORT, {"file": upload(ack_path)}, headers=EN)

    size = len(ack_path.read_bytes())
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [f"The file is {size}\xa0bytes; files of up to 10\xa0bytes can be imported."]
    }
    assert AckFile.objects.count() == 0
    assert charge_states() == [(1, "exported"), (2, "pending"), (3, "pending")]


def test_the_upload_limit_is_twenty_megabytes():
    assert billing_admin.MAX_ACK_FILE_BYTES == 20 * 1024 * 1024


# Closing and rewriting a batch


def test_a_batch_is_closed_only_once_every_charge_is_answered(client):
    batch = exported_batch()
    operator = signed_in(client, BILLING_OPERATOR)

    refused = client.post(batch_url(batch, "close"), headers=EN)
    batch.refresh_from_db()
    status_when_refused = (batch.status, batch.reconciled_at, batch.reconciled_by)
    ack_path = billing_system().acknowledge(batch.number).path
    services_exchange.bill_ack_import(path=ack_path, actor=None)
    closed = client.post(batch_url(batch, "close"), headers=EN)

    batch.refresh_from_db()
    assert refused.status_code == 200
    assert messages_of(refused) == [
        "Batch B-20261220-001 cannot be closed: 1 charges still in flight, 0 differences."
    ]
    assert status_when_refused == ("exported", None, None)
    assert closed.status_code == 302
    assert closed["Location"] == batch_url(batch, "change")
    assert messages_of(closed) == ["Batch B-20261220-001 is reconciled."]
    assert (batch.status, batch.reconciled_by) == ("reconciled", operator)
    assert history() == [
        (operator.pk, "exportbatch", str(batch.pk), CHANGE, "Closed: marked reconciled.")
    ]


def test_the_close_button_appears_once_the_batch_is_acknowledged(client):
    batch = exported_batch()
    signed_in(client, BILLING_OPERATOR)
    close = f'<a href="{batch_url(batch, "close")}">Close (mark reconciled)</a>'

    before = client.get(batch_url(batch, "change"), headers=EN)
    ack_path = billing_system().acknowledge(batch.number).path
    services_exchange.bill_ack_import(path=ack_path, actor=None)
    after = client.get(batch_url(batch, "change"), headers=EN)

    assertNotContains(before, close, html=True)
    assertContains(after, close, html=True)
    assertContains(after, f'<a href="{batch_url(batch, "rewrite")}">Rewrite files</a>', html=True)


def test_rewriting_a_batch_brings_back_its_lost_files_byte_for_byte(client, tmp_path):
    batch = exported_batch()
    files = [tmp_path / f"{batch.number}.csv", tmp_path / f"{batch.number}.json"]
    original = [path.read_bytes() for path in files]
    for path in files:
        path.unlink()
    operator = signed_in(client, BILLING_OPERATOR)

    response = client.post(batch_url(batch, "rewrite"), headers=EN)

    assert response.status_code == 302
    assert [path.read_bytes() for path in files] == original
    assert messages_of(response) == ["Batch B-20261220-001 was sent to the billing system."]
    assert history() == [
        (operator.pk, "exportbatch", str(batch.pk), CHANGE, "Files sent to the billing system.")
    ]


def test_a_rewrite_that_cannot_write_says_why_and_logs_nothing(client, monkeypatch):
    batch = exported_batch()
    signed_in(client, BILLING_OPERATOR)

    def full_disk(self, batch, rows):
        raise OSError("disk full")

    monkeypatch.setattr(FileExchange, "send_batch", full_disk)

    response = client.post(batch_url(batch, "rewrite"), headers=EN)

    assert response.status_code == 200
    assert messages_of(response) == ["The billing system could not take the batch: disk full"]
    assert history() == []


# Cycles and reconciliation


def a_cycle_of_two_batches():
    """Cut-off 20/12/2026: one batch (8.32), accepted and closed. Cut-off 20/02/2027:
    B-20270220-001 (8.32, rejected) and B-20270220-002 (8.31, in flight)."""
    first = exported_batch()
    services_exchange.bill_ack_import(
        path=billing_system().acknowledge(first.number).path, actor=None
    )
    services_exchange.bill_batch_close(batch=first, actor=None)
    february = date(2027, 2, 20)
    rejected = services_exchange.bill_cycle_export(cutoff=february, actor=None)
    BillCharge.objects.filter(sequence=3).update(due_cutoff=february)
    in_flight = services_exchange.bill_cycle_export(cutoff=february, actor=None)
    services_exchange.bill_ack_import(
        path=billing_system("suspended").acknowledge(rejected.number).path, actor=None
    )
    return rejected, in_flight


def test_the_cycles_page_lists_each_cut_off_with_its_figures_and_status(client):
    a_cycle_of_two_batches()
    signed_in(client, BILLING_OPERATOR)

    page = client.get(CYCLES, headers=EN)

    assert page.status_code == 200
    assertContains(
        page,
        f'<tr><th scope="row"><a href="{CYCLES}2027-02-20/">02/20/2027</a></th>'
        "<td>2</td><td>2</td><td>16.63 €</td><td>Exported</td><td>0</td></tr>",
        html=True,
    )
    assertContains(
        page,
        f'<tr><th scope="row"><a href="{CYCLES}2026-12-20/">12/20/2026</a></th>'
        "<td>1</td><td>1</td><td>8.32 €</td><td>Reconciled</td><td>0</td></tr>",
        html=True,
    )


def test_a_cycles_report_shows_the_four_tallies_and_its_batches(client):
    rejected, in_flight = a_cycle_of_two_batches()
    signed_in(client, BILLING_OPERATOR)

    page = client.get(f"{CYCLES}2027-02-20/", headers=EN)

    with translation.override("en"):
        sent = [
            formats.date_format(timezone.localtime(batch.sent_at), "SHORT_DATETIME_FORMAT")
            for batch in (rejected, in_flight)
        ]
    assert page.status_code == 200
    for row in (
        '<tr><th scope="row">Exported</th><td>2</td><td>16.63 €</td></tr>',
        '<tr><th scope="row">Accepted</th><td>0</td><td>0.00 €</td></tr>',
        '<tr><th scope="row">Rejected</th><td>1</td><td>8.32 €</td></tr>',
        '<tr><th scope="row">In flight</th><td>1</td><td>8.31 €</td></tr>',
        f'<tr><th scope="row"><a href="{batch_url(rejected, "change")}">B-20270220-001</a></th>'
        f"<td>1</td><td>8.32 €</td><td>Acknowledged</td><td>{sent[0]}</td></tr>",
        f'<tr><th scope="row"><a href="{batch_url(in_flight, "change")}">B-20270220-002</a></th>'
        f"<td>1</td><td>8.31 €</td><td>Exported</td><td>{sent[1]}</td></tr>",
    ):
        assertContains(page, row, html=True)
    assertContains(page, "Balanced: every exported charge is accounted for.")


def test_a_cycles_report_lists_its_differences(client):
    batch = exported_batch()
    BatchLine.objects.filter(batch=batch).update(amount=Decimal("9.00"))
    charge = BillCharge.objects.get(sequence=1)
    signed_in(client, BILLING_OPERATOR)

    page = client.get(f"{CYCLES}2026-12-20/", headers=EN)

    assert page.context["report"].differences == [
        "B-20261220-001: header says 1 / 8.32, lines are 1 / 9.00",
        f"B-20261220-001: charge {charge.pk} exported as 9.00, now 8.32",
    ]
    assertContains(
        page,
        "<ul><li>B-20261220-001: header says 1 / 8.32, lines are 1 / 9.00</li>"
        f"<li>B-20261220-001: charge {charge.pk} exported as 9.00, now 8.32</li></ul>",
        html=True,
    )
    assertNotContains(page, "Balanced")


@pytest.mark.parametrize("cutoff", ["2026-12-21", "2026-13-45"])
def test_a_cut_off_without_batches_has_no_report(client, cutoff):
    exported_batch()
    signed_in(client, BILLING_OPERATOR)
    assert client.get(f"{CYCLES}{cutoff}/").status_code == 404
