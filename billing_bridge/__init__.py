"""The water-bill payment route and the exchange with the billing system (billing-bridge issue)."""
