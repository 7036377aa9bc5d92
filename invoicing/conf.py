"""The issuer's and the SIF's identity, from settings (validated at start-up in
``shop/settings.py``), as the values the VERI*FACTU functions take."""

from __future__ import annotations

from django.conf import settings

from invoicing.verifactu.qr import AeatEnvironment
from invoicing.verifactu.records import Party, SistemaInformatico


def issuer() -> Party:
    """Who issues the invoices: ObligadoEmision and NombreRazonEmisor of every record."""
    return Party(name=settings.INVOICE_ISSUER_NAME, nif=settings.INVOICE_ISSUER_NIF)


def issuer_address() -> list[str]:
    """The issuer's address lines (``INVOICE_ISSUER_ADDRESS``), frozen on each
    invoice at issue: a later change of settings leaves old invoices as issued."""
    return list(settings.INVOICE_ISSUER_ADDRESS)


def sistema_informatico() -> SistemaInformatico:
    """The SistemaInformatico block of every record."""
    return SistemaInformatico(
        vendor=Party(
            name=settings.VERIFACTU_SIF_VENDOR_NAME, nif=settings.VERIFACTU_SIF_VENDOR_NIF
        ),
        name=settings.VERIFACTU_SIF_NAME,
        system_id=settings.VERIFACTU_SIF_ID,
        version=settings.VERIFACTU_SIF_VERSION,
        installation_number=settings.VERIFACTU_SIF_INSTALLATION_NUMBER,
        only_verifactu=settings.VERIFACTU_SIF_ONLY_VERIFACTU,
        multi_taxpayer=settings.VERIFACTU_SIF_MULTI_TAXPAYER,
        multiple_taxpayers=settings.VERIFACTU_SIF_MULTIPLE_TAXPAYERS,
    )


def aeat_environment() -> AeatEnvironment:
    """The AEAT the records and QR codes point at: its test environment or the real one."""
    return AeatEnvironment(settings.VERIFACTU_ENVIRONMENT)
