# Russian model names for the admin (issue 13): plurals that are plurals, no English defaults.
# Options only — no schema change.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0016_attachments_exports'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='appealsearch',
            options={'verbose_name': 'поисковый документ обращения', 'verbose_name_plural': 'поисковые документы обращений'},
        ),
        migrations.AlterModelOptions(
            name='importjob',
            options={'ordering': ['-created_at', '-pk'], 'verbose_name': 'импорт файла', 'verbose_name_plural': 'импорты файлов'},
        ),
        migrations.AlterModelOptions(
            name='quarantineditem',
            options={'ordering': ['-created_at', '-pk'], 'verbose_name': 'запись в карантине', 'verbose_name_plural': 'записи в карантине'},
        ),
        migrations.AlterModelOptions(
            name='searchqueue',
            options={'verbose_name': 'обращение в очереди поиска', 'verbose_name_plural': 'обращения в очереди поиска'},
        ),
        migrations.AlterModelOptions(
            name='searchword',
            options={'verbose_name': 'слово поискового словаря', 'verbose_name_plural': 'слова поискового словаря'},
        ),
    ]
