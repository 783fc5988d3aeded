"""appeals_upsert, the one write path of intake, tested directly."""

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
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
    """A row the probe did not see (it arrived just after): the upsert's own WHERE keeps a МЦУ's batch
    off it."""
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


# --- two writers at once: each event's old value is the value its update replaced -------------------

def _in_thread(target, *args) -> tuple[threading.Thread, list]:
    """Run target in a thread of its own (its own database connection); its exception, if any, in the list."""
    errors = []

    def run():
        try:
            target(*args)
        except BaseException as error:  # noqa: BLE001 — reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _holding(region, items, written: threading.Event, release: threading.Event) -> None:
    """A batch written and held uncommitted until `release`."""
    with transaction.atomic():
        appeals_upsert(region=region, items=items)
        written.set()
        assert release.wait(30)


def _wait_for_a_lock_wait() -> None:
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("the second writer never waited for the first")


def _chain(external_id: str) -> list[tuple[str, str]]:
    return list(AppealEvent.objects.filter(appeal__external_id=external_id, kind="source_updated", field="text")
                .order_by("pk").values_list("old_value", "new_value"))


def _race(region, first: list[IntakeItem], second: list[IntakeItem]) -> None:
    """`first` written and held; `second` started and seen waiting for it; then `first` commits."""
    written, release = threading.Event(), threading.Event()
    holder, holder_errors = _in_thread(_holding, region, first, written, release)
    assert written.wait(30)
    writer, writer_errors = _in_thread(lambda: appeals_upsert(region=region, items=second))
    try:
        _wait_for_a_lock_wait()
    finally:
        release.set()
        holder.join(30)
        writer.join(30)
    assert not holder_errors and not writer_errors, holder_errors + writer_errors


@pytest.mark.django_db(transaction=True)
def test_an_update_waiting_for_another_records_what_that_one_wrote(reference, samara):
    appeals_upsert(region=samara, items=[item("A", None, text="Было")])

    _race(samara, [item("A", None, text="Первое обновление")], [item("A", None, text="Второе обновление")])

    assert _chain("A") == [("Было", "Первое обновление"), ("Первое обновление", "Второе обновление")]
    assert Appeal.objects.get(external_id="A").text == "Второе обновление"


@pytest.mark.django_db(transaction=True)
def test_an_item_created_by_another_batch_meanwhile_is_updated_with_its_true_old_value(reference, samara):
    _race(samara, [item("N", None, text="Создано первым")], [item("N", None, text="Изменено вторым")])

    assert AppealEvent.objects.filter(appeal__external_id="N", kind="created").count() == 1
    assert _chain("N") == [("Создано первым", "Изменено вторым")]
    assert not AppealEvent.objects.filter(appeal__external_id="N", kind="source_updated", field="").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_over_the_same_items_chain_their_events_exactly(reference, samara):
    keys = ["S1", "S2", "S3"]
    appeals_upsert(region=samara, items=[item(key, None, text=f"{key}: исходный текст") for key in keys])
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        rng = random.Random(n)
        start.wait(10)
        for round_ in range(12):
            order = rng.sample(keys, len(keys))  # each batch names the items in its own order
            appeals_upsert(region=samara, items=[item(key, None, text=f"{key}: писатель {n}, раз {round_}")
                                                 for key in order])

    threads = [_in_thread(writer, n) for n in range(4)]
    for thread, _ in threads:
        thread.join(120)
    assert not [error for _, errors in threads for error in errors]  # no deadlock, no lost batch

    for key in keys:
        chain = _chain(key)
        assert len(chain) == 4 * 12
        assert chain[0][0] == f"{key}: исходный текст"
        for (_, new), (old, _) in zip(chain, chain[1:], strict=False):
            assert old == new, f"{key}: an event's old value is not what the update before it wrote"
        assert chain[-1][1] == Appeal.objects.get(external_id=key).text
