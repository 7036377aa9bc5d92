"""The shop administrator reads the consents (the admin's read-only list)."""

from django.db import migrations

from shop.accounts import roles


def grant(apps, schema_editor):
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "accounts", ["view_consent"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_recovery_consent")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
