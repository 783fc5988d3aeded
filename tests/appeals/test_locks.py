"""The appeal's row lock (`Appeal.objects.locked()`): it keeps other writers of the appeal out, and nothing
else — rows other transactions insert for the appeal (events, search documents) commit while it is held. With
FOR UPDATE they waited at commit for the foreign-key check, and the search indexer deadlocked with the
structuring of the same appeals (seen in `make run`'s worker log)."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from appeals.search.index import search_index
from tests.personas import PESTRAVKA

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def held(reference, make_appeal):
    """held(appeal) — the appeal locked by another connection until the test ends."""
    locked, release, threads = threading.Event(), threading.Event(), []

    def hold(pk):
        try:
            with transaction.atomic():
                Appeal.objects.locked().get(pk=pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def start(appeal):
        thread = threading.Thread(target=hold, args=(appeal.pk,))
        thread.start()
        threads.append(thread)
        assert locked.wait(10)

    yield start
    release.set()
    for thread in threads:
        thread.join()


def _within(seconds: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{seconds}s'")


def test_rows_written_for_a_locked_appeal_commit_without_waiting(held, make_appeal):
    appeal = make_appeal(PESTRAVKA)
    held(appeal)
    with transaction.atomic():
        _within(3)
        AppealEvent.objects.create(appeal=appeal, region_id=appeal.region_id, at=timezone.now(),
                                   kind=AppealEvent.Kind.FIELD_CHANGED, field="address", new_value="ул. Мира, 3")
        assert search_index([appeal.pk]) == 1
    # committed: the foreign-key checks at commit did not wait for the lock
    assert AppealEvent.objects.filter(appeal=appeal, field="address").exists()


def test_a_second_writer_still_waits_for_the_lock(held, make_appeal):
    appeal = make_appeal(PESTRAVKA)
    held(appeal)
    with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
        _within(1)
        Appeal.objects.locked().get(pk=appeal.pk)
