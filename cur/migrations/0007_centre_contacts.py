"""The centre's public contacts (shown to a citizen whose verdict link no longer works), the plural of the
calendar's days, and one «Благоустройство и прочее» block per centre.

0006 made a block named after each sector a head held («Благоустройство и прочее»), while the demo
organisation named the same block «Иные вопросы (благоустройство и прочее)»: a database that went through
both has two blocks of one sector. The old name is folded into the sector's name — its heads and sectors
moved to the block that keeps the name, so nobody sees less than before."""

from django.db import migrations, models

OLD_NAME = "Иные вопросы (благоустройство и прочее)"
NEW_NAME = "Благоустройство и прочее"


def fold_duplicate_block(apps, schema_editor):
    SectorBlock = apps.get_model("cur", "SectorBlock")
    for old in SectorBlock.objects.filter(name=OLD_NAME).prefetch_related("sectors", "heads"):
        kept = SectorBlock.objects.filter(centre_id=old.centre_id, name=NEW_NAME).first()
        if kept is None:
            old.name = NEW_NAME
            old.save(update_fields=["name"])
            continue
        kept.sectors.add(*old.sectors.all())
        for membership in old.heads.all():
            membership.blocks.add(kept)
        if not kept.head_position and old.head_position:
            kept.head_position = old.head_position
            kept.save(update_fields=["head_position"])
        old.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cur', '0006_sector_blocks'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='calendarday',
            options={'ordering': ['region', 'date'], 'verbose_name': 'день производственного календаря', 'verbose_name_plural': 'дни производственного календаря'},
        ),
        migrations.AddField(
            model_name='centre',
            name='address',
            field=models.CharField(blank=True, max_length=300, verbose_name='адрес приёмной'),
        ),
        migrations.AddField(
            model_name='centre',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='эл. почта для граждан'),
        ),
        migrations.AddField(
            model_name='centre',
            name='phone',
            field=models.CharField(blank=True, max_length=64, verbose_name='телефон для граждан'),
        ),
        # Forward only matters; going back keeps the one block (nothing to restore).
        migrations.RunPython(fold_duplicate_block, migrations.RunPython.noop),
    ]
