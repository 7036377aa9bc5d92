"""Spanish tax ids, checked where both orders and invoicing can import it."""

from shop.tax_ids import tax_id_clean

__all__ = ["tax_id_clean"]
