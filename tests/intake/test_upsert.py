"""appeals_upsert, the one write path of intake, tested directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.intake import upsert
from appeals.intake.cursors import CursorMove, CursorMoved, source_cursor_get
from appeals.intake.items import IntakeItem, Rejected
from appeals.intake.upsert import appeals_upsert
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


def _held(samara, external_id: str, oktmo: str | None, channel: str = "letter") -> Appeal:
    from appeals.lifecycle.creation import appeal_create
    from municipalities.models import Municipality

    extra = {"municipality": Municipality.objects.get(oktmo=oktmo)} if oktmo else {}
    return appeal_create(region=samara, kind="message", channel=channel, text="Исходный текст",
                         external_id=external_id, received_at=timezone.now(), citizen_email="owner@example.ru", **extra)


def test_a_scoped_batch_writes_its_own_territory_and_refuses_the_rest_before_writing(samara):
    from appeals.intake.upsert import KEY_TAKEN
    from cur.scoping import IntakeScope, person_channels
    from municipalities.models import Municipality
    from tests.personas import PESTRAVKA, TOLYATTI

    own, foreign, regional = _held(samara, "OWN", PESTRAVKA), _held(samara, "FOREIGN", TOLYATTI), _held(
        samara, "REGIONAL", None)
    pestravka = Municipality.objects.get(oktmo=PESTRAVKA).pk
    within = IntakeScope(region_id=samara.pk, municipality_id=pestravka, channels=person_channels())
    batch = [item(key, None, channel="letter", text="Новый текст", citizen_email="x@example.ru")
             for key in ("OWN", "FOREIGN", "REGIONAL", "NEW")] + [item("POS-1", 1)]

    result = appeals_upsert(region=samara, items=batch, within=within)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert result.refused == {("letter", "FOREIGN"): KEY_TAKEN, ("letter", "REGIONAL"): KEY_TAKEN,
                              ("pos", "POS-1"): "channel: канал «pos» принимается только от самого источника"}
    assert set(result.ids) == {("letter", "OWN"), ("letter", "NEW")}  # a refused item's id is not told
    for appeal, text in ((own, "Новый текст"), (foreign, "Исходный текст"), (regional, "Исходный текст")):
        appeal.refresh_from_db()
        assert appeal.text == text
    assert Appeal.objects.get(external_id="NEW").municipality_id == pestravka  # the МЦУ's own, imposed
    assert not Appeal.objects.filter(channel="pos").exists()


def test_a_row_that_turns_foreign_after_the_probe_is_still_not_updated(samara, monkeypatch):
    """The probe is not locked: the upsert's own WHERE keeps a МЦУ's batch off a row it did not see."""
    from cur.scoping import IntakeScope, person_channels
    from municipalities.models import Municipality
    from tests.personas import PESTRAVKA, TOLYATTI

    foreign = _held(samara, "FOREIGN", TOLYATTI)
    monkeypatch.setattr(upsert, "_fetch_old", lambda cur, region, batch: [])  # as if it arrived just after
    within = IntakeScope(region_id=samara.pk, municipality_id=Municipality.objects.get(oktmo=PESTRAVKA).pk,
                         channels=person_channels())

    result = appeals_upsert(region=samara, items=[item("FOREIGN", None, channel="letter", text="Чужое")],
                            within=within)

    foreign.refresh_from_db()
    assert foreign.text == "Исходный текст" and foreign.version == 1
    assert (result.updated, result.unchanged, result.ids) == (0, 1, {})


def test_a_user_writes_within_their_own_scope_and_a_role_that_does_not_take_in_writes_nothing(samara):
    from django.core.exceptions import PermissionDenied

    from appeals.intake.upsert import KEY_TAKEN
    from tests.personas import TOLYATTI, user

    _held(samara, "FOREIGN", TOLYATTI)
    refused = appeals_upsert(region=samara, by=user("pestravka_operator"),
                             items=[item("FOREIGN", None, channel="letter")])
    assert refused.refused == {("letter", "FOREIGN"): KEY_TAKEN}
    with pytest.raises(PermissionDenied):
        appeals_upsert(region=samara, by=user("executor_pestravka_zhkh"), items=[item("NEW", None, channel="letter")])
    assert not Appeal.objects.filter(external_id="NEW").exists()


def test_a_sender_that_leaves_fields_out_keeps_what_is_held(samara):
    appeals_upsert(region=samara, items=[item("A", 1, citizen_name="Орлов", citizen_phone="+7 900", title="Тема")])

    appeals_upsert(region=samara, items=[item("A", 2, text="Новый", citizen_name="",
                                              absent=frozenset({"citizen_phone", "title"}))])

    appeal = Appeal.objects.get()
    assert (appeal.text, appeal.citizen_name, appeal.citizen_phone, appeal.title) == ("Новый", "", "+7 900", "Тема")
    assert set(AppealEvent.objects.filter(kind="source_updated").values_list("field", flat=True)) == {
        "text", "citizen_name"}
