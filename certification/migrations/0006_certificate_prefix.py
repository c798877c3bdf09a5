"""The certificate number prefix lives on the issuer (the assessment body, "ZW" by default), and the
counter of a series is (prefix, year): the year counters so far become the "ZW" series."""

import django.core.validators
from django.db import migrations, models


def counters_to_series(apps, schema_editor):
    Old = apps.get_model("certification", "CertificateYearCounter")
    New = apps.get_model("certification", "CertificateCounter")
    New.objects.bulk_create([New(prefix="ZW", year=c.year, last=c.last) for c in Old.objects.all()])


def series_to_counters(apps, schema_editor):
    Old = apps.get_model("certification", "CertificateYearCounter")
    New = apps.get_model("certification", "CertificateCounter")
    Old.objects.bulk_create([Old(year=c.year, last=c.last) for c in New.objects.filter(prefix="ZW")])


PREFIX = dict(
    default="ZW",
    help_text="The body's certificates are numbered prefix + year + six digits, e.g. ZW2026000001; bodies "
              "with the same prefix share its numbers.",
    max_length=8,
    validators=[django.core.validators.RegexValidator("^[A-Z]{1,8}$", "Write 1 to 8 capital letters, e.g. ZW.")],
    verbose_name="certificate number prefix",
)


class Migration(migrations.Migration):

    dependencies = [
        ("certification", "0005_session_pass_mark"),
    ]

    operations = [
        migrations.AddField(model_name="assessmentbody", name="certificate_prefix", field=models.CharField(**PREFIX)),
        migrations.AddField(model_name="historicalassessmentbody", name="certificate_prefix",
                            field=models.CharField(**PREFIX)),
        migrations.AddConstraint(
            model_name="assessmentbody",
            constraint=models.CheckConstraint(condition=models.Q(("certificate_prefix__regex", "^[A-Z]{1,8}$")),
                                              name="body_certificate_prefix_letters"),
        ),
        migrations.RenameModel("CertificateCounter", "CertificateYearCounter"),
        migrations.CreateModel(
            name="CertificateCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("prefix", models.CharField(default="ZW", max_length=8, verbose_name="prefix")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("prefix", "year"), name="certificate_counter_series")],
            },
        ),
        migrations.RunPython(counters_to_series, series_to_counters),
        migrations.DeleteModel("CertificateYearCounter"),
    ]
