"""The training bases and the classes numbered as they change (zhangwan/table_versions.py): the filter
bars' lists of bases and of months. A class counts only where its months could move (its start, its
status): seats taken and given back do not renumber it."""

from django.db import migrations

from zhangwan import table_versions


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0007_table_versions"),
        ("training", "0005_enrollment_training_en_created_5036d5_idx"),
    ]

    operations = [
        table_versions.watch("training_trainingbase"),
        table_versions.watch("training_trainingclass", ("starts_on", "status")),
    ]
