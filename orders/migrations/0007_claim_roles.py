from django.db import migrations

from shop.accounts import roles

MODELS = ("claim", "claimline", "claimmessage", "claimattachment", "claimevent")


def grant(apps, schema_editor):
    manage = [f"view_{model}" for model in MODELS] + ["change_claim"]
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "orders", manage)
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "orders", manage)


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_claims"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
