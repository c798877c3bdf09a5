from django.db import migrations

from certification.seed import ensure_rules


def seed(apps, schema_editor):
    ensure_rules(apps.get_model("certification", "EligibilityRule"))


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
