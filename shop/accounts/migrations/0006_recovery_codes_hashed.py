"""Recovery codes kept as keyed digests: the static devices' plain-text codes
become digests in a device of ours, and the plain ones are deleted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from shop.accounts.models import recovery_code_digest


def hash_static_codes(apps, schema_editor):
    static_device = apps.get_model("otp_static", "StaticDevice")
    device_model = apps.get_model("accounts", "RecoveryCodeDevice")
    code_model = apps.get_model("accounts", "RecoveryCode")
    for static in static_device.objects.prefetch_related("token_set").order_by("pk"):
        device = device_model.objects.create(
            user_id=static.user_id, name=static.name, confirmed=static.confirmed
        )
        code_model.objects.bulk_create(
            code_model(device=device, digest=recovery_code_digest(token.token))
            for token in static.token_set.all()
        )
        static.delete()  # with its tokens


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_consent_view_role'),
        ('otp_static', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecoveryCodeDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'recovery codes',
                'verbose_name_plural': 'recovery codes',
            },
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='accounts.recoverycodedevice')),
            ],
            options={
                'verbose_name': 'recovery code',
                'verbose_name_plural': 'recovery codes',
            },
        ),
        migrations.RunPython(hash_static_codes, migrations.RunPython.noop),
    ]
