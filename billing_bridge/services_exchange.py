"""The cycle with the billing system: export the charges due as a batch, import
the acknowledgements that come back, reconcile what was sent with what came back.

Every charge is exported exactly once (``BatchLine.charge`` is one-to-one);
an acknowledgement file is imported once (``AckFile.sha256`` is unique).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_bridge.errors import BillingErrorCode
from billing_bridge.exchange.base import ACK_COLUMNS, BatchRow, batch_csv_chunks, get_exchange
from billing_bridge.models import (
    AckFile,
    BatchLine,
    BillCharge,
    BillingEvent,
    ExportBatch,
    QuarantinedLine,
)
from billing_bridge.services import billing_event_record
from shop.accounts.models import User
from shop.money import CENT

Action = BillingEvent.Action

Progress = Callable[[Sequence[str]], Iterable[str]]
RowProgress = Callable[[Iterable[BatchRow], int], Iterable[BatchRow]]
ZERO = Decimal("0.00")
APPLY_CHUNK = 1000  # acknowledgement lines applied per round trip


def _claim_due(batch: ExportBatch, cutoff: date) -> int:
    """Claim the pending charges due by ``cutoff`` into ``batch``; returns how
    many. One INSERT ... SELECT, so no charge passes through Python and a claim
    of any size takes constant memory. On PostgreSQL the rows are locked and a
    concurrent export skips those this one holds instead of waiting for them;
    ``BatchLine.charge`` being unique is the backstop everywhere."""
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(BatchLine._meta.db_table)} (batch_id, charge_id, amount) "  # noqa: S608 (model table names)
            f"SELECT %s, id, amount FROM {quote(BillCharge._meta.db_table)} "
            f"WHERE status = %s AND due_cutoff <= %s{lock}",
            [batch.pk, BillCharge.Status.PENDING.value, cutoff],
        )
        claimed: int = cursor.rowcount
    BillCharge.objects.filter(batch_line__batch=batch).update(
        status=BillCharge.Status.EXPORTED, updated_at=timezone.now()
    )
    return claimed


def _new_batch(cutoff: date, actor: User | None) -> ExportBatch:
    """A batch numbered after the cut-off's last one. Two exports racing for
    the same number: the loser sees the winner's batch on its next try."""
    for _attempt in range(5):
        same_day = ExportBatch.objects.filter(cutoff=cutoff).count()
        number = f"B-{cutoff:%Y%m%d}-{same_day + 1:03d}"
        try:
            with transaction.atomic():
                return ExportBatch.objects.create(
                    number=number,
                    cutoff=cutoff,
                    created_by=actor,
                    file_name=f"{number}.csv",
                    sha256="",
                    count=0,
                    total=ZERO,
                )
        except IntegrityError:
            continue
    raise IntegrityError(f"No free batch number for {cutoff}.")


def batch_rows(batch: ExportBatch) -> Iterator[BatchRow]:
    """The batch's rows in charge order, streamed from the database."""
    lines = batch.lines.order_by("charge_id").values_list(
        "charge_id",
        "charge__contract__number",
        "amount",
        "charge__due_cutoff",
        "charge__kind",
        "charge__sequence",
        "charge__installments",
    )
    for values in lines.iterator(chunk_size=2000):
        yield BatchRow(*values)


def bill_cycle_export(
    *, cutoff: date, actor: User | None, progress: RowProgress | None = None
) -> ExportBatch | None:
    """Send any batch claimed earlier but never delivered, then claim the
    pending charges due by ``cutoff`` into a new batch and send it. Returns the
    new batch, None when nothing is due. ``progress`` wraps the new batch's
    rows as they are sent (a progress bar).

    The claim commits before the batch is sent, so nothing waits on the billing
    system inside a transaction and no charge can be claimed twice, whatever
    fails. If sending fails (``ExchangeError`` or ``OSError`` propagates), the
    batch stays claimed and unsent (``sent_at`` empty) and is sent again, byte
    for byte under the same number, by the next export or ``bill_batch_send``.
    Memory does not grow with the number of charges: they are claimed in the
    database and streamed, once to fingerprint the file and once to send it.

    The claim is a BATCH_EXPORTED event by ``actor`` (None: the scheduled task),
    each delivery a BATCH_SENT one."""
    bill_batches_send_unsent(actor=actor)
    batch = _claim_batch(cutoff, actor)
    if batch is not None:
        bill_batch_send(actor=actor, batch=batch, progress=progress)
    return batch


def _claim_batch(cutoff: date, actor: User | None) -> ExportBatch | None:
    with transaction.atomic():
        batch = _new_batch(cutoff, actor)
        if not _claim_due(batch, cutoff):
            transaction.set_rollback(True)
            return None
        figures = batch.lines.aggregate(count=Count("pk"), total=Sum("amount"))
        digest = hashlib.sha256()
        for chunk in batch_csv_chunks(batch_rows(batch)):
            digest.update(chunk)
        batch.count, batch.sha256 = figures["count"], digest.hexdigest()
        batch.total = figures["total"].quantize(CENT)  # SQLite sums with extra digits
        batch.save(update_fields=["count", "total", "sha256"])
        billing_event_record(
            actor=actor,
            action=Action.BATCH_EXPORTED,
            obj=batch,
            data={"cutoff": cutoff, "count": batch.count, "total": batch.total},
        )
    return batch


def bill_batch_send(
    *, actor: User | None, batch: ExportBatch, progress: RowProgress | None = None
) -> ExportBatch:
    """Deliver ``batch`` through the configured exchange and record when it
    was first delivered. Safe to repeat (e.g. after its files were lost): the
    content is the same every time, byte for byte, under the same number.
    Raises what the exchange raises; ``sent_at`` is then left as it was and no
    event is recorded. Each delivery is a BATCH_SENT event by ``actor``
    (``first`` says whether it was the first)."""
    rows = batch_rows(batch)
    get_exchange().send_batch(batch, progress(rows, batch.count) if progress else rows)
    with transaction.atomic():
        first = ExportBatch.objects.filter(pk=batch.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        billing_event_record(
            actor=actor, action=Action.BATCH_SENT, obj=batch, data={"first": bool(first)}
        )
    batch.refresh_from_db(fields=["sent_at"])
    return batch


def bill_batches_send_unsent(*, actor: User | None) -> list[ExportBatch]:
    """Send every batch claimed but not delivered yet, oldest first; returns them."""
    unsent = list(ExportBatch.objects.filter(sent_at__isnull=True).order_by("pk"))
    return [bill_batch_send(actor=actor, batch=batch) for batch in unsent]


class _Result(StrEnum):
    ACCEPTED = "accepted"  # on a bill, with its number
    REJECTED = "rejected"  # not billed, with the reason
    SETTLED = "settled"  # the bill holding an accepted charge was paid


# The state a charge must be in for each result, and the state it moves to.
_MOVES = {
    _Result.ACCEPTED: (BillCharge.Status.EXPORTED, BillCharge.Status.ACCEPTED),
    _Result.REJECTED: (BillCharge.Status.EXPORTED, BillCharge.Status.REJECTED),
    _Result.SETTLED: (BillCharge.Status.ACCEPTED, BillCharge.Status.SETTLED),
}


@dataclass(frozen=True)
class _AckLine:
    number: int
    raw: str
    charge_id: int
    result: _Result
    bill_number: str
    reason: str


def _parse(number: int, raw: str) -> _AckLine | str:
    """The line, or why it cannot be used."""
    fields = next(csv.reader([raw]))
    if len(fields) != len(ACK_COLUMNS):
        return f"expected {len(ACK_COLUMNS)} fields, found {len(fields)}"
    charge_id, result, bill_number, reason = (value.strip() for value in fields)
    if not charge_id.isdigit():
        return "charge id is not a number"
    if result not in set(_Result):
        return f"unknown result {result[:40]!r}"
    if result != _Result.REJECTED and not bill_number:
        return f"{result} without a bill number"
    if len(bill_number) > 40:
        return "bill number too long"
    return _AckLine(number, raw, int(charge_id), _Result(result), bill_number, reason)


def bill_ack_import(*, path: Path, actor: User | None, progress: Progress | None = None) -> AckFile:
    """Apply the acknowledgement file at ``path`` (CSV: charge_id, result,
    bill_number, reason) to the charges it names: an exported charge becomes
    ``accepted`` (with its bill number) or ``rejected`` (the reason in its
    note); an accepted one becomes ``settled`` once its bill is paid (the line
    repeats the bill number).

    Idempotent: a file already imported (same SHA-256) returns its first
    ``AckFile`` and changes nothing. Lines that are malformed, name an unknown
    charge or a charge not in the state their result needs are kept as
    ``QuarantinedLine`` rows, never dropped; blank lines are skipped. Raises
    ``ValidationError`` (code ``invalid``) when the header is wrong, before
    anything is written. ``progress`` wraps the lines (a progress bar). The
    first import is an ACK_IMPORTED event by ``actor`` with the file's tallies."""
    content = Path(path).read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if (done := AckFile.objects.filter(sha256=digest).first()) is not None:
        return done
    text = content.decode("utf-8", errors="replace").splitlines()
    if not text or next(csv.reader([text[0]])) != list(ACK_COLUMNS):
        raise ValidationError(
            _("The acknowledgement file must start with: %(columns)s"),
            code=BillingErrorCode.INVALID,
            params={"columns": ",".join(ACK_COLUMNS)},
        )
    try:
        with transaction.atomic():
            ack = AckFile.objects.create(
                sha256=digest, file_name=Path(path).name, imported_by=actor
            )
            _apply(ack, text[1:], progress or (lambda lines: lines))
            billing_event_record(
                actor=actor,
                action=Action.ACK_IMPORTED,
                obj=ack,
                data={
                    name: getattr(ack, name)
                    for name in ("lines", "accepted", "rejected", "settled", "quarantined")
                },
            )
    except IntegrityError:
        if (done := AckFile.objects.filter(sha256=digest).first()) is not None:
            return done  # a concurrent import of the same file won
        raise
    return ack


def _apply(ack: AckFile, lines: Sequence[str], progress: Progress) -> None:
    parsed: list[_AckLine] = []
    quarantine: list[QuarantinedLine] = []
    for number, raw in enumerate(progress(lines), start=2):
        if not raw.strip():
            continue
        outcome = _parse(number, raw)
        if isinstance(outcome, str):
            quarantine.append(
                QuarantinedLine(ack_file=ack, line_number=number, raw=raw, reason=outcome)
            )
        else:
            parsed.append(outcome)
    changed: list[int] = []
    for start in range(0, len(parsed), APPLY_CHUNK):
        changed += _apply_chunk(ack, parsed[start : start + APPLY_CHUNK], quarantine)
    QuarantinedLine.objects.bulk_create(
        sorted(quarantine, key=lambda each: each.line_number), batch_size=1000
    )
    ack.lines = ack.accepted + ack.rejected + ack.settled + len(quarantine)
    ack.quarantined = len(quarantine)
    ack.save(update_fields=["lines", "accepted", "rejected", "settled", "quarantined"])
    _acknowledge_answered_batches(changed)


@dataclass
class _ChargeState:
    status: str
    bill_number: str
    note: str


def _apply_chunk(
    ack: AckFile, lines: Sequence[_AckLine], quarantine: list[QuarantinedLine]
) -> list[int]:
    """Apply ``lines`` (a slice of the file) and return the charges they changed.
    Only the three columns are read and written, so a large file costs neither
    model instances nor per-row statements."""
    rows = BillCharge.objects.select_for_update().filter(pk__in={line.charge_id for line in lines})
    states = {
        pk: _ChargeState(status, bill_number, note)
        for pk, status, bill_number, note in rows.values_list("pk", "status", "bill_number", "note")
    }
    changed: dict[int, _ChargeState] = {}
    for line in lines:
        state = states.get(line.charge_id)
        reason = _refusal(line, state)
        if state is None or reason:
            quarantine.append(
                QuarantinedLine(ack_file=ack, line_number=line.number, raw=line.raw, reason=reason)
            )
            continue
        state.status = _MOVES[line.result][1]
        if line.result == _Result.ACCEPTED:
            state.bill_number = line.bill_number
            ack.accepted += 1
        elif line.result == _Result.REJECTED:
            state.note = line.reason[:300]
            ack.rejected += 1
        else:
            ack.settled += 1
        changed[line.charge_id] = state
    if changed:
        _write_states(changed)
    return list(changed)


def _write_states(states: dict[int, _ChargeState]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` for the slice (PostgreSQL, and
    SQLite 3.33+); Django's ``bulk_update`` spent seconds per thousand rows
    building its CASE expressions."""
    quote = connection.ops.quote_name
    table = quote(BillCharge._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(states))
    params: list[Any] = [connection.ops.adapt_datetimefield_value(timezone.now())]
    for pk, state in states.items():
        params += [pk, state.status, state.bill_number, state.note]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = v.column2, bill_number = v.column3, "  # noqa: S608 (model table name)
            f"note = v.column4, updated_at = %s FROM (VALUES {values}) AS v "
            f"WHERE {table}.id = v.column1",
            params,
        )


def _acknowledge_answered_batches(charge_ids: list[int]) -> None:
    """Mark acknowledged the batches of ``charge_ids`` with every charge answered.
    The ids are looked up in slices, so a file of any size stays within the
    database's limit on query parameters (SQLite's is 32,766)."""
    batch_ids: set[int] = set()
    for start in range(0, len(charge_ids), 1000):
        lines = BatchLine.objects.filter(charge_id__in=charge_ids[start : start + 1000])
        batch_ids.update(lines.values_list("batch_id", flat=True).distinct())
    waiting = ExportBatch.objects.filter(pk__in=batch_ids, status=ExportBatch.Status.EXPORTED)
    for batch in waiting:
        if not batch.lines.filter(charge__status=BillCharge.Status.EXPORTED).exists():
            batch.status = ExportBatch.Status.ACKNOWLEDGED
            batch.save(update_fields=["status"])


def _refusal(line: _AckLine, charge: _ChargeState | None) -> str:
    """Why ``line`` cannot be applied to ``charge``; empty when it can."""
    if charge is None:
        return "unknown charge"
    if charge.status != _MOVES[line.result][0]:
        return f"charge is {charge.status}"
    if line.result == _Result.SETTLED and line.bill_number != charge.bill_number:
        return f"bill number differs from {charge.bill_number}"
    return ""


@dataclass
class Tally:
    count: int = 0
    total: Decimal = ZERO

    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.total += amount


@dataclass
class ReconcileReport:
    """Exported = accepted + rejected + in flight (still exported), per charge
    count and amount; anything that does not fit is listed in ``differences``."""

    batches: list[str]
    exported: Tally = field(default_factory=Tally)
    accepted: Tally = field(default_factory=Tally)
    rejected: Tally = field(default_factory=Tally)
    in_flight: Tally = field(default_factory=Tally)
    differences: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.differences


def bill_reconcile(
    *, cutoff: date | None = None, batch: ExportBatch | None = None
) -> ReconcileReport:
    """The reconciliation of ``batch``, or of every batch of ``cutoff``. Reads only."""
    if (cutoff is None) == (batch is None):
        raise ValueError("Give a cut-off or a batch.")
    batches: QuerySet[ExportBatch] = (
        ExportBatch.objects.filter(pk=batch.pk)
        if batch is not None
        else ExportBatch.objects.filter(cutoff=cutoff or date.min)
    )
    report = ReconcileReport(batches=[each.number for each in batches.order_by("number")])
    for each in batches.order_by("number"):
        if each.sent_at is None:
            report.differences.append(f"{each.number}: not delivered to the billing system yet")
        lines = list(each.lines.select_related("charge").order_by("charge_id"))
        total = sum((line.amount for line in lines), ZERO)
        if (len(lines), total) != (each.count, each.total):
            report.differences.append(
                f"{each.number}: header says {each.count} / {each.total}, "
                f"lines are {len(lines)} / {total}"
            )
        for line in lines:
            charge = line.charge
            report.exported.add(line.amount)
            if line.amount != charge.amount:
                report.differences.append(
                    f"{each.number}: charge {charge.pk} exported as {line.amount}, "
                    f"now {charge.amount}"
                )
            if charge.status in {BillCharge.Status.ACCEPTED, BillCharge.Status.SETTLED}:
                report.accepted.add(line.amount)
            elif charge.status == BillCharge.Status.REJECTED:
                report.rejected.add(line.amount)
            elif charge.status == BillCharge.Status.EXPORTED:
                report.in_flight.add(line.amount)
            else:
                report.differences.append(
                    f"{each.number}: charge {charge.pk} is {charge.status} after export"
                )
    return report


def bill_batch_close(*, batch: ExportBatch, actor: User | None) -> ExportBatch:
    """Mark ``batch`` reconciled: every charge answered and the report balanced,
    a BATCH_CLOSED event by ``actor``. Closing a closed batch returns it
    unchanged (no event). Raises ``ValidationError`` (NOT_BALANCED) with the
    report's figures otherwise, changing nothing."""
    with transaction.atomic():
        batch = ExportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ExportBatch.Status.RECONCILED:
            return batch
        report = bill_reconcile(batch=batch)
        if not report.balanced or report.in_flight.count:
            raise ValidationError(
                _(
                    "Batch %(batch)s cannot be closed: %(in_flight)s charges still in flight, "
                    "%(differences)s differences."
                ),
                code=BillingErrorCode.NOT_BALANCED,
                params={
                    "batch": batch.number,
                    "in_flight": report.in_flight.count,
                    "differences": len(report.differences),
                },
            )
        batch.status = ExportBatch.Status.RECONCILED
        batch.reconciled_at, batch.reconciled_by = timezone.now(), actor
        batch.save(update_fields=["status", "reconciled_at", "reconciled_by"])
        billing_event_record(
            actor=actor,
            action=Action.BATCH_CLOSED,
            obj=batch,
            data={"count": report.exported.count, "total": report.exported.total},
        )
    return batch
