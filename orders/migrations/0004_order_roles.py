from django.db import migrations

from shop.accounts import roles

ORDER_MODELS = ("order", "orderline", "orderevent", "fulfillment", "payment", "paymenttransaction")


def grant(apps, schema_editor):
    manage = ["view_order", "change_order", "view_orderline", "view_orderevent"]
    manage += ["view_fulfillment", "add_fulfillment", "view_payment", "view_paymenttransaction"]
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "orders", manage)
    everything = manage + ["view_checkout", "view_checkoutline"]
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "orders", everything)


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_checkout_orders_payments"), ("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
