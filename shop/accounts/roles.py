"""Staff roles are permission groups. Each app's migrations extend ``ROLES`` with
the permissions of the models it adds (through :func:`grant`)."""

from __future__ import annotations

from typing import Any

CATALOGUE_MANAGER = "Gestor de catálogo"
ORDER_MANAGER = "Gestor de pedidos"
BILLING_OPERATOR = "Operador de facturación"
SHOP_ADMINISTRATOR = "Administrador de la tienda"

ROLE_NAMES = (CATALOGUE_MANAGER, ORDER_MANAGER, BILLING_OPERATOR, SHOP_ADMINISTRATOR)


def grant(apps: Any, schema_editor: Any, role: str, app_label: str, codenames: list[str]) -> None:
    """Give ``role`` the named permissions, creating permissions not created yet.

    Used from data migrations: Django creates permissions only after all
    migrations ran, so a migration that needs them creates them first.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # create_permissions skips stubs without it
    create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _created = group_model.objects.get_or_create(name=role)
    permissions = permission_model.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)
