"""The QR code of a VERI*FACTU invoice: the AEAT's verification URL and its image.

Vectors: «Características del QR y especificaciones del servicio de cotejo o remisión
de información por parte del receptor de la factura» (AEAT, v0.5.0): the example of
section 4 (a series with «&» in it) as OCA's l10n_es_verifactu_oca quotes it in its
QR docstring and mdiago/VeriFactu in its README, and the production address of
section 8 as other public test suites quote it. The PDF itself could not be read
from here. The document writes ``importe=241.4``: the URL carries ImporteTotal as the
record writes it, and this shop's records always write two decimals.

Size and error correction (ISO/IEC 18004, level M, 30x30 to 40x40 mm) are those of
article 21 of Orden HAC/1177/2024 as that document repeats them.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from lxml import etree
from PIL import Image

from invoicing.verifactu.qr import (
    AeatEnvironment,
    qr_code,
    qr_png,
    qr_svg,
    qr_url,
    qr_url_for,
)
from invoicing.verifactu.records import InvoiceRef, TaxLine
from tests.invoicing.test_huella import example_alta

TEST = AeatEnvironment.TEST
PRODUCTION = AeatEnvironment.PRODUCTION


def test_the_url_reproduces_the_aeat_example_of_section_4():
    url = qr_url_for(
        nif="89890001K",
        numserie="12345678&G33",
        fecha="01-01-2024",
        importe="241.4",
        environment=TEST,
    )

    assert url == (
        "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
        "?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.4"
    )


def test_production_uses_the_agencys_host():
    url = qr_url_for(
        nif="89890001K",
        numserie="12345678-G33",
        fecha="01-09-2024",
        importe="241.4",
        environment=PRODUCTION,
    )

    assert url == (
        "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"
        "?nif=89890001K&numserie=12345678-G33&fecha=01-09-2024&importe=241.4"
    )


def test_a_records_url_carries_its_values_as_its_xml_writes_them():
    record = example_alta(
        invoice=InvoiceRef(
            issuer_nif="89890001K", number="12345678&G33", issue_date=date(2024, 1, 1)
        ),
        tax_lines=(TaxLine(rate=Decimal("21"), base=Decimal("199.25"), quota=Decimal("41.85")),),
        total_quota=Decimal("41.85"),
        total_amount=Decimal("241.10"),
    )

    assert qr_url(record, environment=TEST) == (
        "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
        "?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.10"
    )


def test_reserved_characters_of_a_series_are_percent_encoded():
    url = qr_url_for(
        nif="89890001K",
        numserie="F2 2027/7+1",
        fecha="05-03-2027",
        importe="-3.00",
        environment=TEST,
    )

    assert url.endswith("?nif=89890001K&numserie=F2%202027%2F7%2B1&fecha=05-03-2027&importe=-3.00")


def test_a_value_outside_printable_ascii_is_refused():
    with pytest.raises(ValueError, match="numserie"):
        qr_url_for(
            nif="89890001K", numserie="Ñ-1", fecha="01-01-2024", importe="1.00", environment=TEST
        )


def _url(number: str = "F2-2027-000001") -> str:
    return qr_url_for(
        nif="A99999997",
        numserie=number,
        fecha="31-12-2027",
        importe="1234.56",
        environment=PRODUCTION,
    )


# The shortest URL the shop can print, and the longest: 60 characters all escaped.
URLS = [_url("1"), _url("&" * 60)]


@pytest.mark.parametrize("url", URLS)
def test_the_png_reads_back_as_the_exact_url_at_error_correction_m(url):
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))

    assert [(code.text, code.ec_level, code.format) for code in decoded] == [
        (url, "M", zxingcpp.BarcodeFormat.QRCode)
    ]


def test_the_symbol_is_a_full_qr_code_at_level_m_never_raised():
    code = qr_code(_url())

    assert (code.error, code.is_micro) == ("M", False)


def _mm(length: str) -> float:
    match = re.fullmatch(r"([0-9.]+)mm", length)
    assert match, length
    return float(match.group(1))


@pytest.mark.parametrize("url", URLS)
def test_the_svg_prints_within_30_to_40_mm_with_a_quiet_zone_of_at_least_2_mm(url):
    root = etree.fromstring(qr_svg(url).encode())
    side = _mm(root.get("width"))
    viewbox_width = float(root.get("viewBox").split()[2])
    [path] = root
    module_units = float(re.fullmatch(r"scale\(([0-9.]+)\)", path.get("transform")).group(1))
    symbol = module_units * qr_code(url).symbol_size(border=0)[0] * side / viewbox_width

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert _mm(root.get("height")) == side
    assert 30 <= symbol < side <= 40
    assert (side - symbol) / 2 >= 2


@pytest.mark.parametrize("url", URLS)
def test_the_png_declares_a_resolution_that_prints_it_within_30_to_40_mm(url):
    image = Image.open(io.BytesIO(qr_png(url)))
    dpi_x, dpi_y = image.info["dpi"]

    assert round(dpi_x) == round(dpi_y)
    assert 30 <= image.width / dpi_x * 25.4 <= 40
    assert image.width == image.height
