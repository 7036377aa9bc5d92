from django.db import migrations

from shop.accounts import roles

MODELS = ("promotion", "voucher", "vouchercode", "voucherusage")


def grant(apps, schema_editor):
    # Campaigns are the catalogue manager's; order managers see what a code gave.
    everything = [f"{action}_{m}" for m in MODELS for action in ("view", "add", "change", "delete")]
    roles.grant(apps, schema_editor, roles.CATALOGUE_MANAGER, "discounts", everything)
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "discounts", everything)
    roles.grant(
        apps, schema_editor, roles.ORDER_MANAGER, "discounts", [f"view_{m}" for m in MODELS]
    )


class Migration(migrations.Migration):
    dependencies = [("discounts", "0001_promotions_vouchers"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
