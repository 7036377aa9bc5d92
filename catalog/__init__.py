"""Catalogue: categories, collections, products, variants, media, stock (catalog issue)."""
