"""Full-text search on PostgreSQL also finds a product by its category's names
(weight B, between the product's names and its descriptions). The product's
trigger reads its category's names; renaming a category re-indexes its
products. Nothing happens on SQLite, which searches the category at query time."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  category_name text;
  category_name_en text;
BEGIN
  SELECT name, name_en INTO category_name, category_name_en
  FROM catalog_category WHERE id = NEW.category_id;
  NEW.search_vector :=
    setweight(to_tsvector('spanish', catalog_unaccent(coalesce(NEW.name, ''))), 'A') ||
    setweight(to_tsvector('english', catalog_unaccent(coalesce(NEW.name_en, ''))), 'A') ||
    setweight(to_tsvector('spanish', catalog_unaccent(coalesce(category_name, ''))), 'B') ||
    setweight(to_tsvector('english', catalog_unaccent(coalesce(category_name_en, ''))), 'B') ||
    setweight(to_tsvector('spanish', catalog_unaccent(
      regexp_replace(coalesce(NEW.description, ''), '<[^>]+>', ' ', 'g'))), 'C') ||
    setweight(to_tsvector('english', catalog_unaccent(
      regexp_replace(coalesce(NEW.description_en, ''), '<[^>]+>', ' ', 'g'))), 'C');
  RETURN NEW;
END
$$;

DROP TRIGGER catalog_product_search_vector_trg ON catalog_product;
CREATE TRIGGER catalog_product_search_vector_trg
BEFORE INSERT OR UPDATE OF name, name_en, description, description_en, category_id
ON catalog_product
FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector();

-- Setting category_id to itself fires the product trigger, which reads the new names.
CREATE FUNCTION catalog_category_search_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_product SET category_id = category_id WHERE category_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER catalog_category_search_refresh_trg
AFTER UPDATE OF name, name_en ON catalog_category
FOR EACH ROW
WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.name_en IS DISTINCT FROM NEW.name_en)
EXECUTE FUNCTION catalog_category_search_refresh();

UPDATE catalog_product SET category_id = category_id;
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS catalog_category_search_refresh_trg ON catalog_category;
DROP FUNCTION IF EXISTS catalog_category_search_refresh();

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

DROP TRIGGER catalog_product_search_vector_trg ON catalog_product;
CREATE TRIGGER catalog_product_search_vector_trg
BEFORE INSERT OR UPDATE OF name, name_en, description, description_en ON catalog_product
FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector();

UPDATE catalog_product SET name = name;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_shop_administrator_catalogue")]

    operations = [migrations.RunPython(forward, backward)]
