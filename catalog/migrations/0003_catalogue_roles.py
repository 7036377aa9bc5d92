from django.db import migrations

from shop.accounts import roles

MODELS = (
    "category",
    "product",
    "productvariant",
    "attribute",
    "attributechoice",
    "productattributevalue",
    "collection",
    "collectionproduct",
    "productmedia",
    "warehouse",
    "stock",
)


def grant(apps, schema_editor):
    everything = [f"{action}_{m}" for m in MODELS for action in ("view", "add", "change", "delete")]
    roles.grant(apps, schema_editor, roles.CATALOGUE_MANAGER, "catalog", everything)
    readable = [f"view_{m}" for m in ("product", "productvariant", "stock", "warehouse")]
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "catalog", readable)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_product_search_postgres"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
