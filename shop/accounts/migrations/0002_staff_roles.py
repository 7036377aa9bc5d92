"""Staff roles as permission groups. Later apps' migrations grant their own
models' permissions to these roles with ``shop.accounts.roles.grant``."""

from django.db import migrations

from shop.accounts import roles


def create_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for name in roles.ROLE_NAMES:
        group_model.objects.get_or_create(name=name)
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "accounts", ["view_user", "view_address"])
    roles.grant(apps, schema_editor, roles.BILLING_OPERATOR, "accounts", ["view_user"])
    # Nobody but superusers gets change_user: in the admin it means granting permissions.
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "accounts", ["view_user", "view_address"])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=roles.ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
