from django.db import migrations

from shop.accounts import roles

CYCLE = ["export_batch", "close_batch", "import_ackfile"]


def grant(apps, schema_editor):
    roles.grant(apps, schema_editor, roles.BILLING_OPERATOR, "billing_bridge", CYCLE)
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "billing_bridge", CYCLE)


class Migration(migrations.Migration):
    dependencies = [("billing_bridge", "0005_bill_cycle_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
