from django.db import migrations

from shop.accounts import roles

MODELS = (
    "invoiceseries",
    "invoice",
    "invoiceline",
    "invoicetaxline",
    "verifactuchain",
    "verifacturecord",
    "submission",
    "recordanswer",
    "submissionstate",
)


def grant(apps, schema_editor):
    # The billing operator ("operador de facturación") keeps the invoices too:
    # reads everything, issues rectificativas and exchanges, sends records again.
    view = [f"view_{model}" for model in MODELS]
    act = ["add_invoice", "add_submission"]
    roles.grant(apps, schema_editor, roles.BILLING_OPERATOR, "invoicing", view + act)
    roles.grant(apps, schema_editor, roles.SHOP_ADMINISTRATOR, "invoicing", view + act)
    # Order managers see an order's invoices beside it.
    roles.grant(apps, schema_editor, roles.ORDER_MANAGER, "invoicing", ["view_invoice"])


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0003_submissions"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
