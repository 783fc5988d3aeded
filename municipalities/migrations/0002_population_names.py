# The plural of «численность населения» in the admin (issue 13). Options only — no schema change.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('municipalities', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='population',
            options={'ordering': ['municipality', 'year'], 'verbose_name': 'численность населения', 'verbose_name_plural': 'данные о численности населения'},
        ),
    ]
