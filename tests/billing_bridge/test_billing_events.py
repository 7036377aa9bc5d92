"""Every billing service records who did it (a BillingEvent), whatever called it."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from billing_bridge import services, services_exchange, tasks
from billing_bridge.exchange.base import ContractInfo
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import AckFile, BillCharge, BillingEvent, ExportBatch
from shop.accounts.models import User
from tests.billing_bridge.test_contract_refresh import mirrored
from tests.billing_bridge.test_exchange import _exchange  # noqa: F401 (the file exchange, autouse)
from tests.billing_bridge.test_water_bill_payment import linked_customer, water_bill_order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CUTOFF = date(2026, 12, 20)
Action = BillingEvent.Action


@pytest.fixture
def operator():
    user = User.objects.create_user("facturacion@example.com", "pw-9-correct", is_staff=True)
    user.groups.add(Group.objects.get(name="Operador de facturación"))
    return user


def events():
    """(action, actor e-mail, object, data) of every event, oldest first."""
    return [
        (e.action, e.actor.email if e.actor else None, e.object_repr, e.data)
        for e in BillingEvent.objects.select_related("actor").order_by("pk")
    ]


def one_charge_due():
    user, contract = linked_customer()
    water_bill_order(user, installments=1)  # 24.95
    BillingEvent.objects.all().delete()
    return contract


def acknowledge(batch: ExportBatch) -> AckFile:
    simulator = BillingSimulator({"100200300": ContractInfo("100200300", "active", "L")})
    return simulator.acknowledge(batch.number)


def test_an_export_records_the_claim_and_the_delivery_with_its_operator(operator):
    one_charge_due()

    batch = services_exchange.bill_cycle_export(cutoff=CUTOFF, actor=operator)

    assert events() == [
        (
            Action.BATCH_EXPORTED,
            operator.email,
            batch.number,
            {"cutoff": "2026-12-20", "count": 1, "total": "24.95"},
        ),
        (Action.BATCH_SENT, operator.email, batch.number, {"first": True}),
    ]


def test_the_scheduled_export_records_the_system_as_actor():
    one_charge_due()
    BillCharge.objects.update(due_cutoff=date.today())  # the task exports what is due today

    number = tasks.bill_cycle_export_due.run()

    assert number is not None
    assert [(action, actor) for action, actor, _obj, _data in events()] == [
        (Action.BATCH_EXPORTED, None),
        (Action.BATCH_SENT, None),
    ]


def test_sending_again_records_a_repeat_delivery_and_a_failed_one_records_nothing(
    operator, settings, tmp_path
):
    one_charge_due()
    batch = services_exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    services_exchange.bill_batch_send(actor=operator, batch=batch)
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("")
    settings.BILLING_EXCHANGE_DIR = not_a_folder  # the files cannot be written
    before = events()

    with pytest.raises((FileExistsError, NotADirectoryError)):
        services_exchange.bill_batch_send(actor=operator, batch=batch)

    assert before[-1] == (Action.BATCH_SENT, operator.email, batch.number, {"first": False})
    assert events() == before


def test_an_acknowledgement_import_records_its_tallies_once(operator):
    one_charge_due()
    batch = services_exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    ack = acknowledge(batch)
    BillingEvent.objects.all().delete()

    imported = services_exchange.bill_ack_import(path=ack.path, actor=operator)
    services_exchange.bill_ack_import(path=ack.path, actor=None)

    tallies = {"lines": 1, "accepted": 1, "rejected": 0, "settled": 0, "quarantined": 0}
    assert events() == [(Action.ACK_IMPORTED, operator.email, imported.file_name, tallies)]


def test_closing_a_batch_records_it_and_a_refused_close_records_nothing(operator):
    one_charge_due()
    batch = services_exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    BillingEvent.objects.all().delete()

    with pytest.raises(ValidationError):
        services_exchange.bill_batch_close(batch=batch, actor=operator)
    refused = events()
    services_exchange.bill_ack_import(path=acknowledge(batch).path, actor=None)
    services_exchange.bill_batch_close(batch=batch, actor=operator)
    services_exchange.bill_batch_close(batch=batch, actor=operator)  # already closed

    assert refused == []
    assert [e for e in events() if e[0] == Action.BATCH_CLOSED] == [
        (Action.BATCH_CLOSED, operator.email, batch.number, {"count": 1, "total": "24.95"})
    ]


def test_terminating_a_contract_records_the_installments_moved(operator):
    user, contract = linked_customer()
    water_bill_order(user, installments=3)
    BillingEvent.objects.all().delete()

    moved = services.contract_terminate(
        actor=operator, contract=contract, final_cutoff=date(2027, 1, 15)
    )

    assert moved == 2  # installments 2 and 3
    assert events() == [
        (
            Action.CONTRACT_TERMINATED,
            operator.email,
            str(contract),
            {"final_cutoff": "2027-01-15", "moved": 2},
        )
    ]


def test_a_refresh_records_the_contracts_that_changed_only(settings, operator):
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.simulator.BillingSimulator"
    settings.BILLING_SIMULATOR_STATE = ""
    _user, contract = linked_customer()
    mirrored("41000999")
    BillingSimulator().seed("100200300", status="suspended", holder="Lucía Romero")
    BillingSimulator().seed("41000999", status="active", holder="Lucía Romero")
    BillingEvent.objects.all().delete()

    services.contracts_refresh(actor=operator)

    assert events() == [
        (Action.CONTRACT_REFRESHED, operator.email, str(contract), {"changed": ["status"]})
    ]


def test_linking_a_contract_records_the_customer_once():
    customer = UserFactory()
    contract = mirrored("41000777")

    services.contracts_link_vouched(user=customer, numbers=["41000777"])
    services.contracts_link_vouched(user=customer, numbers=["41000777"])

    assert events() == [
        (Action.CONTRACT_LINKED, customer.email, str(contract), {"source": "portal"})
    ]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_commands_record_the_actor_given_by_e_mail(operator):
    one_charge_due()

    run("bill_cycle_export", "--cutoff", "2026-12-20", "--actor", "FACTURACION@example.com")
    batch = ExportBatch.objects.get()
    run("bill_ack_import", str(acknowledge(batch).path), "--actor", operator.email)

    assert [(action, actor) for action, actor, _obj, _data in events()] == [
        (Action.BATCH_EXPORTED, operator.email),
        (Action.BATCH_SENT, operator.email),
        (Action.ACK_IMPORTED, operator.email),
    ]


def test_a_command_with_an_unknown_actor_does_nothing():
    one_charge_due()
    UserFactory(email="cliente@example.com")  # not staff

    with pytest.raises(CommandError, match="No active staff member"):
        run("bill_cycle_export", "--cutoff", "2026-12-20", "--actor", "cliente@example.com")

    assert (ExportBatch.objects.count(), BillingEvent.objects.count()) == (0, 0)
    assert list(BillCharge.objects.values_list("status", flat=True)) == ["pending"]


def test_the_admin_export_records_the_signed_in_operator(client, operator):
    one_charge_due()
    client.force_login(operator)

    response = client.post("/admin/billing_bridge/exportbatch/export/", {"cutoff": "2026-12-20"})

    assert response.status_code == 302
    batch = ExportBatch.objects.get()
    assert [(action, actor) for action, actor, _obj, _data in events()] == [
        (Action.BATCH_EXPORTED, operator.email),
        (Action.BATCH_SENT, operator.email),
    ]
    assert batch.total == Decimal("24.95")


def test_billing_staff_read_the_events_in_the_admin_and_others_do_not(client, operator):
    one_charge_due()
    services_exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    services_exchange.bill_batch_send(actor=operator, batch=ExportBatch.objects.get())
    orders = User.objects.create_user("pedidos@example.com", "pw-9-correct", is_staff=True)
    orders.groups.add(Group.objects.get(name="Gestor de pedidos"))

    client.force_login(operator)
    listed = client.get("/admin/billing_bridge/billingevent/")
    changed = client.post(
        f"/admin/billing_bridge/billingevent/{BillingEvent.objects.last().pk}/change/"
    )
    client.force_login(orders)
    denied = client.get("/admin/billing_bridge/billingevent/")

    assert listed.status_code == 200
    assert [
        (event.action, event.actor.email if event.actor else None)
        for event in listed.context["cl"].result_list
    ] == [
        (Action.BATCH_SENT, operator.email),
        (Action.BATCH_SENT, None),
        (Action.BATCH_EXPORTED, None),
    ]
    assert (changed.status_code, denied.status_code) == (403, 403)
