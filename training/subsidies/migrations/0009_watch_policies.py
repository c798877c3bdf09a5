"""The policies numbered as their names change (zhangwan/table_versions.py): the claims' policy list. Their
counters, moved by every claim paid, do not renumber them."""

from django.db import migrations

from zhangwan import table_versions


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0007_table_versions"),
        ("subsidies", "0008_claim_subsidies_c_claimed_248260_idx"),
    ]

    operations = [
        table_versions.watch("subsidies_policy", ("name",)),
    ]
