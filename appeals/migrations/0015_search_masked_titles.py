"""The title now goes into the search document every role searches with its personal data cut out, as
the text does (issue 11): the documents written before hold the whole title, so every appeal is queued
to be indexed again. Cheap: one INSERT … SELECT of ids; the beat indexes them in the background
(`manage.py search_reindex` does it at once)."""

from django.db import migrations

REQUEUE = "INSERT INTO appeals_searchqueue (appeal_id) SELECT id FROM appeals_appeal ON CONFLICT DO NOTHING;"


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0014_problem_neighbours_covering'),
    ]

    operations = [
        migrations.RunSQL(REQUEUE, migrations.RunSQL.noop),
    ]
