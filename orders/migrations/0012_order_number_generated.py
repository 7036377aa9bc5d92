# The order number becomes a column the database computes from the key in the
# insert (it was written by a second statement right after it). A column cannot
# be altered into a generated one: it is dropped and added again, with the same
# values (every number was ``TA-`` and the key, padded to six digits).

from django.db import migrations, models

import orders.models.order


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0011_shipping_version"),
    ]

    operations = [
        migrations.RemoveField(model_name="order", name="number"),
        migrations.AddField(
            model_name="order",
            name="number",
            field=models.GeneratedField(
                db_persist=True,
                expression=orders.models.order.OrderNumber("id"),
                output_field=models.CharField(max_length=20),
                unique=True,
                verbose_name="number",
            ),
        ),
    ]
