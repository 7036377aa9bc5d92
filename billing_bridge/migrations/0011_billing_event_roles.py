from django.db import migrations

from shop.accounts import roles


def grant(apps, schema_editor):
    view = ["view_billingevent"]
    roles.grant(apps, schema_editor, roles.BILLING_OPERATOR, "billing_bridge", view)
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "billing_bridge", view)


class Migration(migrations.Migration):
    dependencies = [("billing_bridge", "0010_billing_event")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
