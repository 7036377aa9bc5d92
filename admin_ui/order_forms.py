"""Forms of the actions staff take on an order in the admin (see ``admin_ui.orders``)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderLine
from orders.selectors import payment_balance


def euros(value: Decimal) -> str:
    return f"{formats.number_format(value, decimal_pos=2)} €"


class OrderActionForm(forms.Form):
    """The input of one action on ``order``."""

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order


class FulfillForm(OrderActionForm):
    """A quantity per line still to ship (what is left, by default) and a tracking number."""

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.lines = [line for line in order.lines.all() if line.quantity_unfulfilled > 0]
        for line in self.lines:
            left = line.quantity_unfulfilled
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.product_name} ({line.sku})",
                min_value=0,
                max_value=left,
                initial=left,
                help_text=gettext("%(left)s of %(quantity)s left to ship.")
                % {"left": left, "quantity": line.quantity},
            )
        self.fields["tracking_number"] = forms.CharField(
            label=_("Tracking number"), max_length=100, required=False
        )

    def quantities(self) -> list[tuple[OrderLine, int]]:
        chosen = ((line, self.cleaned_data[f"line_{line.pk}"]) for line in self.lines)
        return [(line, quantity) for line, quantity in chosen if quantity]


class CancelForm(OrderActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)


class NoteForm(OrderActionForm):
    message = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea)


class RefundForm(OrderActionForm):
    """The idempotency key is generated when the form is shown, so posting the
    same form twice (a double click, a resubmitted page) refunds once."""

    amount = forms.DecimalField(
        label=_("Amount (€)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.fields["amount"].help_text = gettext("At most %(amount)s.") % {
            "amount": euros(payment_balance(order).refundable)
        }
