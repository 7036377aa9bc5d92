"""Spanish tax ids: the NIF of a person (DNI, or K/L/M for those without one), the
NIE of a foreigner and the CIF of an entity, checked with python-stdnum.

Here, in ``shop``, because the checkout (orders) checks the id a shopper gives and
invoicing checks the one given to exchange an invoice, and orders never imports
invoicing. The error code is the same string in both apps' enums."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.es import cif, nie, nif
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

_SEPARATORS = str.maketrans("", "", " .-/")
_CIF_LETTERS = "ABCDEFGHJNPQRSUVW"
INVALID_TAX_ID = "invalid_tax_id"


def tax_id_clean(value: str) -> str:
    """``value`` as the nine upper-case characters the AEAT takes (separators and an
    ``ES`` VAT prefix removed), once its check character is right.

    Raises ``ValidationError`` with code ``INVALID_TAX_ID`` and a message saying
    whether the id is empty, not a NIF/NIE/CIF at all, or has a wrong check
    character.
    """
    compact = value.upper().translate(_SEPARATORS)
    if len(compact) == 11 and compact.startswith("ES"):
        compact = compact[2:]
    if not compact:
        raise ValidationError(_("Enter a Spanish tax id (NIF, NIE or CIF)."), code=INVALID_TAX_ID)
    kind = nie if compact[0] in "XYZ" else cif if compact[0] in _CIF_LETTERS else nif
    try:
        return str(kind.validate(compact))
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The check character of %(value)s is wrong: check the tax id."),
            code=INVALID_TAX_ID,
            params={"value": compact},
        ) from exc
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a Spanish tax id (NIF, NIE or CIF)."),
            code=INVALID_TAX_ID,
            params={"value": compact},
        ) from exc
