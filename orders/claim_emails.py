"""Claim e-mails to customers (opened, answered, resolved), in the order's language."""

from __future__ import annotations


def claim_email_send(claim_id: int, kind: str) -> None:
    raise NotImplementedError("written with the claims e-mail templates")
