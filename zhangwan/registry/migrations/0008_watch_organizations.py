"""The organizations numbered as their names change (zhangwan/table_versions.py): the claims' employer list."""

from django.db import migrations

from zhangwan import table_versions


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0007_table_versions"),
    ]

    operations = [
        table_versions.watch("registry_organization", ("name",)),
    ]
