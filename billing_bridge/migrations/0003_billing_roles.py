from django.db import migrations

from shop.accounts import roles

MODELS = (
    "supplycontract",
    "contractlink",
    "billcharge",
    "exportbatch",
    "batchline",
    "ackfile",
    "quarantinedline",
)


def grant(apps, schema_editor):
    view = [f"view_{model}" for model in MODELS]
    roles.grant(apps, schema_editor, roles.BILLING_OPERATOR, "billing_bridge", view)
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "billing_bridge", view)
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "billing_bridge", ["view_billcharge"])


class Migration(migrations.Migration):
    dependencies = [("billing_bridge", "0002_exchange"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
