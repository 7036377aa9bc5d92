"""Write an invoice's PDF to a file: ``invoice_pdf <number> <out.pdf>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from typing_extensions import override

from invoicing.models import Invoice
from invoicing.pdf import render_invoice_pdf
from invoicing.rendering import invoice_document


class Command(BaseCommand):
    help = (
        "Write the PDF of the invoice with this number (e.g. F2-2027-000001) to a file: "
        "the stored one when it has been drawn, otherwise drawn now (not stored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="The invoice's full number.")
        parser.add_argument("out", type=Path, help="Where to write the PDF.")

    @override
    def handle(self, *args: Any, number: str, out: Path, **options: Any) -> None:
        invoice = Invoice.objects.filter(full_number=number).first()
        if invoice is None:
            raise CommandError(f"No invoice {number}.")
        if invoice.pdf:
            with invoice.pdf.open("rb") as stream:
                pdf = stream.read()
            source = "stored"
        else:
            pdf = render_invoice_pdf(invoice_document(invoice))
            source = "drawn now, not stored"
        out.write_bytes(pdf)
        self.stdout.write(f"{number}: {len(pdf)} bytes written to {out} ({source}).")
