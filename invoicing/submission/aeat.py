"""The AEAT's VERI*FACTU web service (SistemaFacturacion.wsdl, service ``sfVerifactu``,
operation ``RegFactuSistemaFacturacion``: SOAP 1.1, document/literal, ``soapAction=""``).

Where it is (the WSDL's ``soap:address``; the host depends on the certificate: a
personal or representative certificate uses www1/prewww1, an entity's seal
certificate www10/prewww10)::

    test, personal:    https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP
    test, seal:        https://prewww10.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP
    production:        https://www1.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP
    production, seal:  https://www10.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP

The client authenticates with its certificate over TLS (``VERIFACTU_CERT_FILE`` and
``VERIFACTU_KEY_FILE`` in PEM, or ``VERIFACTU_PKCS12_FILE`` with
``VERIFACTU_PKCS12_PASSWORD``). ``VERIFACTU_AEAT_URL`` overrides the address.

The request is posted once: a retry belongs to the next run of the submission
service, after the wait the service asks for, and a record the AEAT did register is
answered then as a duplicate (error 3000) and counted as registered.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lxml import etree

from invoicing.submission.answers import SOAP_ENV, parse_answer
from invoicing.submission.base import (
    ChannelUnavailable,
    OutgoingRecord,
    SubmissionRefused,
    SubmissionResult,
    VerifactuChannel,
    submission_xml,
)
from invoicing.verifactu.qr import AeatEnvironment
from invoicing.verifactu.xml import SchemaInvalid, validate

_PATH = "/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
ENDPOINTS = {
    (AeatEnvironment.TEST, False): "https://prewww1.aeat.es" + _PATH,
    (AeatEnvironment.TEST, True): "https://prewww10.aeat.es" + _PATH,
    (AeatEnvironment.PRODUCTION, False): "https://www1.agenciatributaria.gob.es" + _PATH,
    (AeatEnvironment.PRODUCTION, True): "https://www10.agenciatributaria.gob.es" + _PATH,
}
Certificate = str | tuple[str, str] | None


def endpoint() -> str:
    """The address to post to, from the settings."""
    if settings.VERIFACTU_AEAT_URL:
        return str(settings.VERIFACTU_AEAT_URL)
    environment = AeatEnvironment(settings.VERIFACTU_ENVIRONMENT)
    return ENDPOINTS[environment, bool(settings.VERIFACTU_SEAL_CERTIFICATE)]


def soap_envelope(body: etree._Element) -> bytes:
    """``body`` (copied) in a SOAP 1.1 envelope, as UTF-8 bytes with the declaration."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(copy.deepcopy(body))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def checked_request(records: Sequence[OutgoingRecord], *, incident: bool, refusal: str) -> bytes:
    """The SOAP request submitting ``records``, checked against the AEAT's schema
    first: a document it refuses is :class:`SubmissionRefused` (without code), its
    message ``refusal`` and why, and goes nowhere."""
    document = submission_xml(records, incident=incident)
    request = soap_envelope(document)
    try:
        validate(document)
    except SchemaInvalid as exc:
        raise SubmissionRefused(f"{refusal}, invalid: {exc}", request=request) from exc
    return request


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)


def pem_from_pkcs12(path: Path, password: str) -> tuple[str, str]:
    """The certificate (with its chain) and key of a PKCS#12 file as two PEM files in a
    private temporary directory (mode 0700, removed at exit): requests takes PEM only.
    Raises ``ImproperlyConfigured`` when the file cannot be read with ``password``."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            path.read_bytes(), password.encode("utf-8") or None
        )
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"VERIFACTU_PKCS12_FILE cannot be read: {exc}") from exc
    if key is None or certificate is None:
        raise ImproperlyConfigured("VERIFACTU_PKCS12_FILE holds no certificate and key.")
    directory = Path(tempfile.mkdtemp(prefix="verifactu-cert-"))
    atexit.register(shutil.rmtree, directory, True)
    certificates = [certificate, *chain]
    _write_private(
        directory / "cert.pem",
        b"".join(item.public_bytes(serialization.Encoding.PEM) for item in certificates),
    )
    _write_private(
        directory / "key.pem",
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    return str(directory / "cert.pem"), str(directory / "key.pem")


def client_certificate() -> tuple[str, str] | str:
    """The client certificate from settings, as requests' ``cert`` takes it. Raises
    ``ImproperlyConfigured`` when none is configured."""
    if settings.VERIFACTU_PKCS12_FILE:
        return pem_from_pkcs12(
            Path(settings.VERIFACTU_PKCS12_FILE), settings.VERIFACTU_PKCS12_PASSWORD
        )
    if settings.VERIFACTU_CERT_FILE and settings.VERIFACTU_KEY_FILE:
        return str(settings.VERIFACTU_CERT_FILE), str(settings.VERIFACTU_KEY_FILE)
    if settings.VERIFACTU_CERT_FILE:
        return str(settings.VERIFACTU_CERT_FILE)  # one PEM with certificate and key
    raise ImproperlyConfigured(
        "The aeat VERI*FACTU channel needs a client certificate: VERIFACTU_CERT_FILE and "
        "VERIFACTU_KEY_FILE, or VERIFACTU_PKCS12_FILE and VERIFACTU_PKCS12_PASSWORD."
    )


class AeatChannel(VerifactuChannel):
    """Posts each submission to the web service and reads its answer.

    Built with the settings' address and certificate (``ImproperlyConfigured`` without
    a certificate); ``url`` and ``cert`` replace them (the simulator channel). Each
    submission uses its own connection, so one instance serves every thread."""

    name = "aeat"

    def __init__(self, *, url: str | None = None, cert: Certificate | bool = True) -> None:
        self.url = url or endpoint()
        self.cert: Certificate = client_certificate() if cert is True else cert or None
        self.timeout = float(settings.VERIFACTU_TIMEOUT)
        if self.timeout <= 0:
            raise ImproperlyConfigured("VERIFACTU_TIMEOUT must be more than 0 seconds.")

    def submit(self, records: Sequence[OutgoingRecord], *, incident: bool) -> SubmissionResult:
        """Post the submission; see :meth:`VerifactuChannel.submit`. The document is
        checked against the AEAT's schema first: one it refuses is not sent (a
        :class:`SubmissionRefused` without code). A 5xx answer without a Fault, a
        timeout or a connection error is :class:`ChannelUnavailable`."""
        request = checked_request(records, incident=incident, refusal="Not sent")
        try:
            response = requests.post(
                self.url,
                data=request,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                cert=self.cert,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise ChannelUnavailable(
                f"The AEAT did not answer: {type(exc).__name__}", request=request
            ) from exc
        if response.status_code == 200:
            return parse_answer(response.content, request=request)
        with contextlib.suppress(ChannelUnavailable):
            parse_answer(response.content, request=request)  # a Fault raises SubmissionRefused
        detail = f"HTTP {response.status_code} {' '.join(response.text[:200].split())}"
        if response.status_code >= 500 or response.status_code == 429:
            raise ChannelUnavailable(
                f"The AEAT is unavailable: {detail}", request=request, answer=response.content
            )
        raise SubmissionRefused(
            f"The AEAT refused the submission: {detail}",
            request=request,
            answer=response.content,
        )
