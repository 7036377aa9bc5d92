from django.db import migrations

from shop.accounts import roles


def grant(apps, schema_editor):
    # DESIGN: shop administrators run the catalogue and stock too.
    module = __import__("catalog.migrations.0003_catalogue_roles", fromlist=["MODELS"])
    everything = [
        f"{action}_{model}"
        for model in module.MODELS
        for action in ("view", "add", "change", "delete")
    ]
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "catalog", everything)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_catalogue_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
