"""Consent: which legal texts a person accepted, in which version, and when.

A legal text's version is its last change (``LegalPage.updated_at``, what
``shop { legal { updatedAt } }`` shows); each acceptance also keeps the SHA-256
of the text as it read, so a later edit cannot blur what was accepted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.accounts.errors import AccountErrorCode as Code
from shop.accounts.models import Consent
from shop.content.models import LegalPage
from shop.content.selectors import published_legal_texts

REGISTRATION = Consent.Context.REGISTRATION
CHECKOUT = Consent.Context.CHECKOUT


def accepted_documents(*, privacy_policy: bool = False, terms_of_sale: bool = False) -> list[str]:
    """The legal texts an input's ``accept...`` flags name."""
    kinds = (
        (privacy_policy, LegalPage.Kind.PRIVACY_POLICY),
        (terms_of_sale, LegalPage.Kind.TERMS_OF_SALE),
    )
    return [str(kind) for flag, kind in kinds if flag]


def legal_text_digest(page: LegalPage) -> str:
    text = "\x1f".join((page.title, page.body, page.title_en, page.body_en))
    return hashlib.sha256(text.encode()).hexdigest()


def legal_texts_check(
    documents: Collection[str], *, version: int | None = None
) -> dict[str, LegalPage]:
    """The published legal texts of ``documents`` by kind; INVALID on
    ``accept_<kind>`` (the input's flag) for one the shop has not published
    (one cannot accept what does not exist). ``version``: the legal texts
    version read in this transaction (``shop.content.selectors.legal_version``),
    which lets the texts come from the process's copy."""
    if not documents:
        return {}
    published = published_legal_texts(version)
    pages = {kind: published[kind] for kind in documents if kind in published}
    missing = sorted(set(documents) - pages.keys())
    if missing:
        raise ValidationError(
            {
                f"accept_{kind}": ValidationError(
                    _("The shop has not published this legal text."), code=Code.INVALID
                )
                for kind in missing
            }
        )
    return pages


def checkout_acceptance_check(accepted: Collection[str], *, version: int | None = None) -> None:
    """Placing an order needs the terms of sale accepted once the shop has
    published them: general terms bind only once the buyer accepts them (Ley
    7/1998 de Condiciones Generales de la Contratación, art. 5; shown before
    contracting, LSSI art. 27.4), and the recorded acceptance is the shop's
    proof. A shop with no terms published sells without them (nothing to show,
    nothing to require). Raises ``ValidationError``
    REQUIRED on ``accept_terms_of_sale``. ``version``: as for :func:`legal_texts_check`."""
    terms = str(LegalPage.Kind.TERMS_OF_SALE)
    if terms in accepted or terms not in published_legal_texts(version):
        return
    raise ValidationError(
        {
            "accept_terms_of_sale": ValidationError(
                _("Accept the terms of sale to place the order."), code=Code.REQUIRED
            )
        }
    )


def consents_record(
    *,
    documents: Collection[str],
    email: str,
    user_id: int | None,
    context: Consent.Context,
    reference: str = "",
    pages: Mapping[str, LegalPage] | None = None,
) -> list[Consent]:
    """Record that ``email`` (and the user ``user_id``) accepted each legal text of
    ``documents`` (``LegalPage.Kind`` values) as it reads now; call it in the
    transaction of what is accepted for. Raises as :func:`legal_texts_check`,
    recording nothing; given the ``pages`` it returned in this transaction for
    ``documents``, reads nothing and cannot refuse."""
    if not documents:
        return []
    if pages is None:
        pages = legal_texts_check(documents)
    now = timezone.now()
    return Consent.objects.bulk_create(
        Consent(
            user_id=user_id,
            email=email,
            context=context,
            reference=reference,
            document=kind,
            version=pages[kind].updated_at,
            digest=legal_text_digest(pages[kind]),
            accepted_at=now,
        )
        for kind in sorted(set(documents))
    )
