"""Extended statistics for the planner: the municipality determines most of the responsible body,
and the subtopic determines the sector. Without them PostgreSQL multiplies the selectivities as if
the columns were independent, expects almost no rows for «МО + исполнитель» and sorts a bitmap scan
instead of walking the ordered index (27 ms → 1 ms at a million appeals)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("appeals", "0008_agency_and_overdue_order_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE STATISTICS IF NOT EXISTS appeal_territory_body (dependencies, mcv) "
            "ON municipality_id, agency_id FROM appeals_appeal",
            "DROP STATISTICS IF EXISTS appeal_territory_body",
        ),
        migrations.RunSQL(
            "CREATE STATISTICS IF NOT EXISTS appeal_topic (dependencies) ON sector_id, subtopic_id FROM appeals_appeal",
            "DROP STATISTICS IF EXISTS appeal_topic",
        ),
    ]
