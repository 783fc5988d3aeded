"""appeals_upsert, the one write path of intake, tested directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.intake import CursorMove, CursorMoved, IntakeItem, Rejected, appeals_upsert, source_cursor_get
from appeals.models import Appeal, AppealEvent, QuarantinedItem, SourceCursor


def item(external_id: str, version: int | None = 1, **fields) -> IntakeItem:
    defaults = {"channel": "pos", "kind": "message", "received_at": timezone.now() - timedelta(hours=2),
                "text": f"Текст {external_id}"}
    return IntakeItem(external_id=external_id, source_version=version, **{**defaults, **fields})


def test_it_creates_updates_and_ignores_what_is_not_newer(samara):
    first = appeals_upsert(region=samara, items=[item("A"), item("B")])
    newer = appeals_upsert(region=samara, items=[item("A", 2, text="Новый текст", citizen_name="Орлов")])
    older = appeals_upsert(region=samara, items=[item("A", 1, text="Старый"), item("B", 1)])

    assert (first.created, newer.updated, older.unchanged, older.updated) == (2, 1, 2, 0)
    appeal = Appeal.objects.get(external_id="A")
    assert (appeal.text, appeal.source_version, appeal.version) == ("Новый текст", 2, 2)
    changed = dict(AppealEvent.objects.filter(appeal=appeal, kind="source_updated").values_list("field", "new_value"))
    assert changed == {"text": "Новый текст", "citizen_name": "Орлов"}


def test_a_batch_keeps_the_newest_version_of_a_repeated_item(samara):
    result = appeals_upsert(region=samara, items=[item("A", 3, text="третья"), item("A", 1), item("A", 2)])

    assert result.created == 1
    assert Appeal.objects.get().text == "третья"


def test_the_same_external_id_in_another_channel_or_region_is_another_item(samara):
    from municipalities.models import Region

    chuvashia = Region.objects.get(code="chuvashia")
    appeals_upsert(region=samara, items=[item("A"), item("A", channel="incident", kind="incident")])
    appeals_upsert(region=chuvashia, items=[item("A")])

    assert Appeal.objects.filter(external_id="A").count() == 3


def test_a_moved_cursor_rolls_the_whole_batch_back(samara):
    source_cursor_get(region=samara, source="pos")
    appeals_upsert(region=samara, items=[item("A")], cursor=CursorMove("pos", "", "10"))

    with pytest.raises(CursorMoved):
        appeals_upsert(region=samara, items=[item("B")], rejected=[Rejected("pos", "{}", "пусто")],
                       cursor=CursorMove("pos", "", "20"))  # read after "", but "10" is committed

    assert list(Appeal.objects.values_list("external_id", flat=True)) == ["A"]
    assert not QuarantinedItem.objects.exists()
    assert SourceCursor.objects.get().cursor == "10"


def test_a_broken_item_waits_once_however_often_it_comes(samara):
    broken = Rejected("pos", '{"id": "X", "text": ""}', "text: пусто", external_id="X")
    counts = [appeals_upsert(region=samara, items=[], rejected=[broken, broken]).quarantined for _ in range(2)]

    assert counts == [1, 0]
    item_ = QuarantinedItem.objects.get()
    assert (item_.state, item_.reason, item_.external_id) == ("pending", "text: пусто", "X")
