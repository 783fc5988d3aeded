"""Sector blocks: a centre's отраслевые блоки as its decree lists them, and a sector head leads blocks
instead of holding a list of sectors. Each existing Membership.sectors row becomes the head's block of
that sector in the member's centre (one block per centre and sector, shared by every head of it), so
everyone sees after the migration exactly what they saw before; the reverse puts the blocks' sectors back."""

import django.db.models.deletion
from django.db import migrations, models


def sectors_to_blocks(apps, schema_editor):
    Membership = apps.get_model("cur", "Membership")
    SectorBlock = apps.get_model("cur", "SectorBlock")
    # An executor belongs to an agency, not a centre: sectors never scoped an executor, so there is no
    # block to keep for one.
    for membership in Membership.objects.filter(centre__isnull=False).prefetch_related("sectors"):
        for sector in membership.sectors.all():
            block, created = SectorBlock.objects.get_or_create(
                centre_id=membership.centre_id, name=sector.name, defaults={"position": sector.position},
            )
            # Only once per block: the new tables' unique indexes are built at the end of the migration,
            # so add()'s ON CONFLICT DO NOTHING would not yet catch a second add of the same row.
            if created:
                block.sectors.add(sector)
            membership.blocks.add(block)


def blocks_to_sectors(apps, schema_editor):
    Membership = apps.get_model("cur", "Membership")
    for membership in Membership.objects.prefetch_related("blocks__sectors"):
        membership.sectors.set({sector for block in membership.blocks.all() for sector in block.sectors.all()})


class Migration(migrations.Migration):

    dependencies = [
        ('cur', '0005_sla_policy_vocabulary'),
    ]

    operations = [
        migrations.CreateModel(
            name='SectorBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(blank=True, help_text='Номер блока в положении о центре; блоки одного руководителя могут делить номер.', max_length=8, verbose_name='номер')),
                ('name', models.CharField(max_length=200, verbose_name='название')),
                ('head_position', models.CharField(blank=True, help_text='Должности руководителей, как в положении; несколько — через «;».', max_length=500, verbose_name='руководитель (должность)')),
                ('position', models.PositiveSmallIntegerField(default=100, verbose_name='порядок')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='blocks', to='cur.centre', verbose_name='центр')),
                ('sectors', models.ManyToManyField(related_name='blocks', to='cur.sector', verbose_name='тематики')),
            ],
            options={
                'verbose_name': 'отраслевой блок',
                'verbose_name_plural': 'отраслевые блоки',
                'ordering': ['centre', 'position', 'name'],
                'constraints': [models.UniqueConstraint(fields=('centre', 'name'), name='sector_block_name_uniq', violation_error_message='У центра уже есть блок с таким названием.')],
            },
        ),
        migrations.AddField(
            model_name='membership',
            name='blocks',
            field=models.ManyToManyField(blank=True, help_text='Только для руководителя отраслевого блока: он видит тематики своих блоков своего центра.', related_name='heads', to='cur.sectorblock', verbose_name='отраслевые блоки'),
        ),
        migrations.RunPython(sectors_to_blocks, blocks_to_sectors),
        migrations.RemoveField(
            model_name='membership',
            name='sectors',
        ),
    ]
