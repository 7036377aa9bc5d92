"""Cart/checkout, shipping zones, orders, payments, claims (checkout, card and claims issues)."""
