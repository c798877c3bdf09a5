"""One group per role. Their permissions are synced after each migrate (roles.py)."""

from django.db import migrations

ROLES = [
    "training_officer", "competitions_officer", "certification_officer", "masters_officer",
    "finance_officer", "liaison", "worker", "reviewer", "judge", "auditor",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
