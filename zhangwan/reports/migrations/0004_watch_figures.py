"""Every table the dashboard's figures read logs its writers (zhangwan/reports/kept.py). An enrollment names
its class's year, a class its own (a class made, deleted or moved to another year: any year); a worker
counts only when they change employer (the figures read workers only through their enrollments, claims and
entries, which log their own); every other table's writes change any year."""

from django.db import migrations

from zhangwan.reports import kept

ANY_YEAR_TABLES = [
    "certification_certificate",
    "competitions_competition", "competitions_entry", "competitions_entry_members", "competitions_event",
    "competitions_innovationproject", "competitions_result",
    "masters_incentivegrant", "masters_incentivepolicy", "masters_mastertitle", "masters_talkorder",
    "masters_talktopic",
    "registry_organization", "registry_trade",
    "subsidies_batch", "subsidies_claim", "subsidies_policy",
    "training_course", "training_trainingbase",
]


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0003_figure_changes"),
        ("certification", "0006_certificate_prefix"),
        ("competitions", "0006_judge_and_reviewer_choices"),
        ("masters", "0005_judge_and_reviewer_choices"),
        ("registry", "0008_watch_organizations"),
        ("subsidies", "0009_watch_policies"),
        ("training", "0006_table_versions"),
    ]

    operations = [
        migrations.RunSQL(kept.CREATE, kept.DROP),
        kept.watch_by_year("training_enrollment",
                           "SELECT EXTRACT(YEAR FROM c.starts_on)::int FROM changed "
                           "JOIN training_trainingclass c ON c.id = changed.training_class_id"),
        kept.watch_by_year("training_trainingclass", "SELECT EXTRACT(YEAR FROM starts_on)::int FROM changed",
                           moved="EXTRACT(YEAR FROM o.starts_on) <> EXTRACT(YEAR FROM n.starts_on)"),
        kept.watch("registry_worker", moved="o.employer_id IS DISTINCT FROM n.employer_id", rows_made_or_deleted=False),
        *[kept.watch(table) for table in ANY_YEAR_TABLES],
    ]
