from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_report_written_summary'),
    ]

    operations = [
        migrations.CreateModel(
            name='FigureChange',
            fields=[
                ('pk', models.CompositePrimaryKey('xid', 'year', blank=True, editable=False, primary_key=True, serialize=False)),
                ('xid', models.BigIntegerField(verbose_name='transaction')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
            ],
            options={
                'verbose_name': 'figure change',
                'verbose_name_plural': 'figure changes',
            },
        ),
        migrations.CreateModel(
            name='FigureHorizon',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('marked_at', models.DateTimeField(verbose_name='marked at')),
                ('oldest_xid', models.BigIntegerField(verbose_name='oldest running transaction')),
            ],
            options={
                'verbose_name': 'figure horizon',
                'verbose_name_plural': 'figure horizons',
            },
        ),
    ]
