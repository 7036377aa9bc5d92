from django.db import migrations

from shop.accounts import roles

MODELS = ("shippingzone", "postalcoderule", "shippingmethod", "pickuppoint")


def grant(apps, schema_editor):
    everything = [f"{action}_{m}" for m in MODELS for action in ("view", "add", "change", "delete")]
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "orders", everything)
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "orders", [f"view_{m}" for m in MODELS])


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
