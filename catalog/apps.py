from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from catalog.selectors import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="catalog.sqlite_fold")
