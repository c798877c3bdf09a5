"""The change numbers of tables whose lists are kept between requests (zhangwan/table_versions.py), and
the trades' trigger."""

from django.db import migrations

from zhangwan import table_versions


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0006_worker_registry_wo_name_43b0f9_idx"),
    ]

    operations = [
        migrations.RunSQL(table_versions.CREATE, table_versions.DROP),
        table_versions.watch("registry_trade"),
    ]
