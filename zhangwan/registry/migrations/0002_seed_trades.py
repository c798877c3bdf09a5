from django.db import migrations

from zhangwan.registry.seed import ensure_trades


def seed_trades(apps, schema_editor):
    ensure_trades(apps.get_model("registry", "Trade"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed_trades, migrations.RunPython.noop)]
