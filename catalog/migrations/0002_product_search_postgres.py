"""Full-text search on PostgreSQL: accent-insensitive Spanish and English
vectors kept by a trigger, GIN-indexed. Nothing happens on SQLite, where the
search falls back to ``icontains``."""

from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is STABLE; an IMMUTABLE wrapper can be used in indexes and triggers.
CREATE OR REPLACE FUNCTION catalog_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('spanish', catalog_unaccent(coalesce(NEW.name, ''))), 'A') ||
    setweight(to_tsvector('english', catalog_unaccent(coalesce(NEW.name_en, ''))), 'A') ||
    setweight(to_tsvector('spanish', catalog_unaccent(
      regexp_replace(coalesce(NEW.description, ''), '<[^>]+>', ' ', 'g'))), 'C') ||
    setweight(to_tsvector('english', catalog_unaccent(
      regexp_replace(coalesce(NEW.description_en, ''), '<[^>]+>', ' ', 'g'))), 'C');
  RETURN NEW;
END
$$;

CREATE TRIGGER catalog_product_search_vector_trg
BEFORE INSERT OR UPDATE OF name, name_en, description, description_en ON catalog_product
FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector();

CREATE INDEX catalog_product_search_gin ON catalog_product USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_product_search_gin;
DROP TRIGGER IF EXISTS catalog_product_search_vector_trg ON catalog_product;
DROP FUNCTION IF EXISTS catalog_product_search_vector();
DROP FUNCTION IF EXISTS catalog_unaccent(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
