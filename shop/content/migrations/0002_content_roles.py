from django.db import migrations

from shop.accounts import roles

CONTENT_MODELS = ("shopsettings", "homepagesection", "faqcategory", "faqentry", "legalpage")


def grant_content(apps, schema_editor):
    codenames = [
        f"{action}_{model}"
        for model in CONTENT_MODELS
        for action in ("view", "add", "change", "delete")
    ]
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "content", codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant_content, migrations.RunPython.noop)]
