"""Reading an invoice PDF back as a person (its text) and a phone (its QR code) would."""

from __future__ import annotations

import io

import pypdf
import zxingcpp
from django.utils import translation
from django.utils.translation import gettext as _


def in_language(language: str, msgid: str, **values: str) -> str:
    """A label as the PDF (or e-mail) prints it in ``language``, from the same catalogue."""
    with translation.override(language):
        text = _(msgid)
    return text % values if values else text


def pdf_text(pdf: bytes) -> str:
    """All the pages' text, runs of white space (line breaks included) made one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdf_qr_codes(pdf: bytes) -> list[tuple[int, str, str]]:
    """Every QR code in the PDF's images: (page number, text, error-correction level)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = []
    for number, page in enumerate(reader.pages, start=1):
        for image in page.images:
            for code in zxingcpp.read_barcodes(image.image):
                found.append((number, code.text, code.ec_level))
    return found


def pdf_qr_side_mm(pdf: bytes) -> float:
    """The printed side of the first page's only image, in millimetres."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    sizes = []

    def visitor(op, args, cm, tm):  # type: ignore[no-untyped-def]
        if op == b"Do":
            sizes.append(cm[0])

    page.extract_text(visitor_operand_before=visitor)
    [points] = sizes
    return points / 72 * 25.4
